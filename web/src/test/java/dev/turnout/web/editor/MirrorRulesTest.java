package dev.turnout.web.editor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.routing.MirrorRule;
import java.util.List;
import org.junit.jupiter.api.Test;

class MirrorRulesTest {

  @Test
  void writingReplacesTheDirectivesWhereTheyStoodAndKeepsTheDtab() {
    String text = "# routes\n#@mirror /svc/a => /b 5%\n/svc => /#/io.l5d.fs;\n";

    String out = MirrorRules.write(text, List.of(new MirrorRule(Path.read("/svc/users"), Path.read("/s"), 20)));

    assertThat(out).isEqualTo("# routes\n#@mirror /svc/users => /s 20%\n/svc => /#/io.l5d.fs;\n");
    assertThat(Dtab.read(out).size()).isEqualTo(1);
    assertThat(MirrorRule.parseAll(out)).containsExactly(new MirrorRule(Path.read("/svc/users"), Path.read("/s"), 20));
  }

  @Test
  void writingNoRulesRemovesThem() {
    String out = MirrorRules.write("#@mirror /svc/a => /b 5%\n/svc => /c;", List.of());

    assertThat(out).isEqualTo("/svc => /c;");
  }

  @Test
  void aMalformedDirectiveReadsLenientlyAsNone() {
    assertThat(MirrorRules.readLenient("#@mirror /svc/a => /b lots\n/svc => /c;")).isEmpty();
  }
}
