package dev.turnout.web.editor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import org.junit.jupiter.api.Test;

class RoutingTest {
  private final DtabOnlyPreview preview = new DtabOnlyPreview();

  @Test
  void aUnionSplitsTrafficByWeight() {
    Dtab dtab = Dtab.read("/svc => /#/io.l5d.fs; /svc/users => 0.7*/#/io.l5d.fs/users & 0.3*/#/io.l5d.fs/v2;");

    var shares = Routing.shares(preview.delegate("default", dtab, Path.read("/svc/users")));

    assertThat(shares.get("/#/io.l5d.fs/users")).isCloseTo(0.7, within(1e-9));
    assertThat(shares.get("/#/io.l5d.fs/v2")).isCloseTo(0.3, within(1e-9));
  }

  @Test
  void anAltTakesItsFirstAlternativeThatIsNotNeg() {
    Dtab dtab = Dtab.read("/svc => ~ | /#/io.l5d.fs/b | /#/io.l5d.fs/c;");

    var shares = Routing.shares(preview.delegate("default", dtab, Path.read("/svc")));

    assertThat(shares).containsOnlyKeys("/#/io.l5d.fs/b");
  }

  @Test
  void aNameNoDentryMatchesHasNoRoute() {
    var shares = Routing.shares(preview.delegate("default", Dtab.read("/x => /#/a;"), Path.read("/svc/users")));

    assertThat(shares).containsOnlyKeys(Routing.NO_ROUTE);
  }

  @Test
  void theTreeMarksThePrimaryBranchAndItsDentry() {
    Dtab dtab = Dtab.read("/svc => /#/io.l5d.fs; /svc/users => /#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/v2;");

    TreeView tree = TreeView.of(preview.delegate("default", dtab, Path.read("/svc/users")));

    assertThat(tree.outcome()).isEqualTo("success");
    TreeView alt = tree.children().get(0);
    assertThat(alt.label()).isEqualTo("Several Possible Resolution Paths");
    assertThat(alt.children().get(0).primary()).isTrue();
    assertThat(alt.children().get(1).primary()).isFalse();
    assertThat(alt.children().get(0).dentry()).isEqualTo("/svc/users => /#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/v2");
  }
}
