package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.ConfigLoader;
import dev.turnout.config.RouterConfig;
import dev.turnout.store.JdbcDtabStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DtabSourcesTest {
  private static final String OWN = "/svc => /$/inet/127.0.0.1/8080;";

  private JdbcDtabStore store;

  @BeforeEach
  void openStore() {
    store = JdbcDtabStore.open("jdbc:h2:mem:dtab-sources-" + System.nanoTime());
    store.seed(Map.of("prod", "/svc/users => /$/inet/127.0.0.1/9000;"));
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static RouterConfig router(String interpreter) {
    String yaml = "routers:\n- dtab: '" + OWN + "'\n" + (interpreter.isEmpty() ? "" : "  interpreter: " + interpreter + "\n");
    return ConfigLoader.parse(yaml, Path.of("."), Path.of("data")).routers().get(0);
  }

  @Test
  void routerWithoutInterpreterRoutesByItsOwnDtabAlone() {
    RouterConfig r = router("");

    try (DtabSource source = DtabSources.following(Optional.of(store), Optional.empty(), Clock.systemUTC()).apply(r)) {
      assertThat(source.current().namespace()).isEmpty();
      assertThat(source.current().version()).isZero();
      assertThat(source.current().text()).isEqualTo(OWN);
    }
  }

  @Test
  void storeInterpreterPutsTheNamespaceBeforeTheRoutersOwnDtab() {
    RouterConfig r = router("{kind: io.l5d.namerd, namespace: prod}");

    try (DtabSource source = DtabSources.offline(Optional.of(store)).apply(r)) {
      assertThat(source).isInstanceOf(StoreDtabSource.class);
      assertThat(source.current().namespace()).contains("prod");
      assertThat(source.current().version()).isPositive();
      assertThat(source.current().text()).startsWith("/svc/users => /$/inet/127.0.0.1/9000;").endsWith(OWN);
    }
  }

  @Test
  void storeInterpreterWithoutAStoreIsRefused() {
    RouterConfig r = router("{kind: io.l5d.namerd, namespace: prod}");

    assertThatThrownBy(() -> DtabSources.offline(Optional.empty()).apply(r))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("router http reads namespace prod from the store, and this process has none");
  }

  @Test
  void followerWatchesItsControlPlanesWhenServing() {
    RouterConfig r = router("{kind: io.l5d.namerd.http, dst: /$/inet/127.0.0.1/1, namespace: prod}");

    try (DtabSource source = DtabSources.following(Optional.empty(), Optional.empty(), Clock.systemUTC()).apply(r)) {
      assertThat(source).isInstanceOf(NamerdHttpDtabSource.class);
      assertThat(source.current().namespace()).contains("prod");
    }
  }

  @Test
  void followerRoutesByItsOwnDtabWhenOffline() {
    RouterConfig r = router("{kind: io.l5d.namerd.http, dst: /$/inet/127.0.0.1/1, namespace: prod}");

    try (DtabSource source = DtabSources.offline(Optional.of(store)).apply(r)) {
      assertThat(source).isNotInstanceOf(NamerdHttpDtabSource.class);
      assertThat(source.current().namespace()).isEmpty();
      assertThat(source.current().text()).isEqualTo(OWN);
      assertThat(source.ready().toCompletableFuture()).isDone();
    }
  }
}
