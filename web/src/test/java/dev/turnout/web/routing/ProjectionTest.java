package dev.turnout.web.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import org.junit.jupiter.api.Test;

class ProjectionTest {
  private final PreviewService preview = NamesBoundToThemselves.preview();

  @Test
  void eachDestinationIsListedByItsBoundIdWithItsShare() {
    Dtab dtab = Dtab.read("/svc => /#/io.l5d.fs; /svc/users => 0.7*/#/io.l5d.fs/users & 0.3*/#/io.l5d.fs/v2;");

    var shares = Projection.shares(preview.delegate("default", dtab, Path.read("/svc/users")));

    assertThat(shares).containsOnlyKeys("/#/io.l5d.fs/users", "/#/io.l5d.fs/v2");
    assertThat(shares.get("/#/io.l5d.fs/users")).isCloseTo(0.7, within(1e-9));
    assertThat(shares.get("/#/io.l5d.fs/v2")).isCloseTo(0.3, within(1e-9));
  }

  @Test
  void trafficThatReachesNoDestinationIsListedAsNoRoute() {
    var shares = Projection.shares(preview.delegate("default", Dtab.read("/x => /#/a;"), Path.read("/svc/users")));

    assertThat(shares).containsExactly(org.assertj.core.api.Assertions.entry(Projection.NO_ROUTE, 1.0));
  }

  @Test
  void noRouteIsLeftOutWhenEverythingIsRouted() {
    var shares = Projection.shares(preview.delegate("default", Dtab.read("/svc => /#/a & 0*/#/b;"), Path.read("/svc")));

    assertThat(shares).containsOnlyKeys("/#/a", "/#/b");
  }
}
