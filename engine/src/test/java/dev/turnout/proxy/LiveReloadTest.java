package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.metrics.TrafficView;
import dev.turnout.routing.StoreDtabSource;
import dev.turnout.store.JdbcDtabStore;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

class LiveReloadTest {
  private final Backend v1 = Backend.named("v1");
  private final Backend v2 = Backend.named("v2");
  @TempDir java.nio.file.Path data;
  private JdbcDtabStore store;
  private Fixture fx;

  @BeforeEach
  void open() {
    store = JdbcDtabStore.openFile(data);
  }

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    v1.close();
    v2.close();
    store.close();
  }

  private Fixture proxyOnStore() {
    return new Fixture(Fixture.router("/svc/other => /$/nil;"), r -> new StoreDtabSource(store, "default", r.dtab()));
  }

  /**
   * The new snapshot is swapped in before the commit returns, so the very next request routes by it:
   * "within 100 ms" holds with no wait at all, and no timing assertion that load could break.
   */
  @Test
  void theRequestAfterACommitRoutesByTheNewVersion() {
    store.create("default", "/svc/users => /$/inet/127.0.0.1/" + v1.port() + ";", "ops", "v1");
    fx = proxyOnStore();
    assertThat(fx.get("users", "/").body()).isEqualTo("v1");

    store.update("default", "/svc/users => /$/inet/127.0.0.1/" + v2.port() + ";", Optional.empty(), "ops", "shift");

    assertThat(fx.get("users", "/").body()).isEqualTo("v2");
  }

  @Test
  void metricsSayWhichDtabVersionIsInForce() {
    store.create("default", "/svc/users => /$/inet/127.0.0.1/" + v1.port() + ";", "ops", "v1");
    fx = proxyOnStore();
    store.update("default", "/svc/users => /$/inet/127.0.0.1/" + v2.port() + ";", Optional.empty(), "ops", "v2");

    TrafficView.RouterTraffic web = fx.metrics.view().routers().get(0);

    assertThat(web.dtabVersion()).isEqualTo(2);
    assertThat(web.namespace()).isEqualTo("default");
    assertThat(fx.metrics.flat()).containsEntry("rt/web/dtab/version", 2L);
  }

  @Test
  void routerOwnDtabFollowsTheStoreDtab() {
    store.create("default", "/svc/users => /$/inet/127.0.0.1/" + v1.port() + ";", "ops", "v1");
    fx = new Fixture(Fixture.router("/svc/users => /$/inet/127.0.0.1/" + v2.port() + ";"),
        r -> new StoreDtabSource(store, "default", r.dtab()));

    assertThat(fx.get("users", "/").body()).isEqualTo("v2");
  }

  @Test
  void aStoreDtabWithoutATrailingSemicolonStillPrecedesTheRouterOwnDtab() {
    store.create("default", "/svc/users => /$/inet/127.0.0.1/" + v1.port(), "ops", "no trailing semicolon");
    fx = new Fixture(Fixture.router("/svc/other => /$/inet/127.0.0.1/" + v2.port() + ";"),
        r -> new StoreDtabSource(store, "default", r.dtab()));

    assertThat(fx.get("users", "/").body()).isEqualTo("v1");
    assertThat(fx.get("other", "/").body()).isEqualTo("v2");
  }
}
