package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Interpreter;
import dev.turnout.proxy.Fixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The router's bound-tree cache: names bound without a local dtab are kept apart from those bound with
 * one (up to {@link Router#PLAIN_MAX} of them), and neither ever answers for the other.
 */
class RouterBindingTest {
  private final DtabSource source = DtabSource.fixed("/svc => /$/inet/127.0.0.1/8080;");
  private final Router router =
      new Router(Fixture.router("/svc => /$/inet/127.0.0.1/8080;"), new Interpreter(List.of()), source, System::nanoTime);
  private final RoutingSnapshot snapshot = source.current();

  private String boundTo(Dtab local, String service) {
    Route route = router.bind(snapshot, local, Path.read(service));
    return Router.choose(route.targets()).orElseThrow().id();
  }

  @Test
  void aLocalDtabIsBoundWithItsOverrideBeforeAndAfterTheSameNameWithout() {
    Dtab local = Dtab.read("/svc/users => /$/inet/127.0.0.1/9090;");

    String plainFirst = boundTo(Dtab.EMPTY, "/svc/users");
    String overridden = boundTo(local, "/svc/users");
    String plainAgain = boundTo(Dtab.EMPTY, "/svc/users");

    assertThat(plainFirst).isEqualTo("/$/inet/127.0.0.1/8080");
    assertThat(overridden).isEqualTo("/$/inet/127.0.0.1/9090");
    assertThat(plainAgain).isEqualTo("/$/inet/127.0.0.1/8080");
    assertThat(boundTo(local, "/svc/users")).isEqualTo("/$/inet/127.0.0.1/9090");
  }

  @Test
  void namesPastThoseKeptApartAreBoundAndServedFromTheBoundedCache() {
    int names = Router.PLAIN_MAX + 50;
    for (int i = 0; i < names; i++) {
      assertThat(boundTo(Dtab.EMPTY, "/svc/n" + i)).isEqualTo("/$/inet/127.0.0.1/8080");
    }

    for (int i = names - 1; i >= 0; i--) {
      Route first = router.bind(snapshot, Dtab.EMPTY, Path.read("/svc/n" + i));
      Route again = router.bind(snapshot, Dtab.EMPTY, Path.read("/svc/n" + i));
      assertThat(again).as("name %d", i).isSameAs(first);
      assertThat(first.service()).isEqualTo("/svc/n" + i);
    }
  }
}
