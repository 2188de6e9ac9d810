package dev.turnout.web.editor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnionsTest {

  @Test
  void startingACanaryMakesAHundredToZeroUnion() {
    String text = "/svc => /#/io.l5d.fs; # all\n/svc/users => /#/io.l5d.fs/users;\n";

    String out = Unions.startCanary(text, 1, Path.read("/#/io.l5d.fs/users-v2"));

    assertThat(out)
        .isEqualTo("/svc => /#/io.l5d.fs; # all\n/svc/users => /#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/users-v2;\n");
    assertThat(Unions.find(Dtab.read(out)).get(0).branches())
        .extracting(UnionControl.Branch::percent)
        .containsExactly(100, 0);
  }

  @Test
  void slidingTheCanaryToThirtyLeavesSeventyOnTheOther() {
    String text = "/svc/users => /#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/users-v2;";

    String out = Unions.setWeight(text, UnionAddress.parse("d0"), 1, 30);

    assertThat(out).isEqualTo("/svc/users => 0.70*/#/io.l5d.fs/users & 0.30*/#/io.l5d.fs/users-v2;");
  }

  @Test
  void findsUnionsNestedInAlternatives() {
    Dtab dtab = Dtab.read("/a => /b | (/c & /d);");

    List<UnionControl> unions = Unions.find(dtab);

    assertThat(unions).singleElement().satisfies(u -> {
      assertThat(u.id()).isEqualTo("d0-1");
      assertThat(u.branches()).extracting(UnionControl.Branch::destination).containsExactly("/c", "/d");
      assertThat(u.branches()).extracting(UnionControl.Branch::sliderId).containsExactly("w-d0-1-0", "w-d0-1-1");
    });
  }

  @Test
  void aNestedUnionIsRewrittenInPlace() {
    String out = Unions.setWeight("/a => /b | (/c & /d);", UnionAddress.parse("d0-1"), 0, 25);

    assertThat(out).isEqualTo("/a => /b | 0.25*/c & 0.75*/d;");
  }
}
