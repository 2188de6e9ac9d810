package dev.turnout.naming.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Name;
import dev.turnout.naming.Var;
import dev.turnout.testing.Await;
import dev.turnout.testing.Cleanup;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** In-cluster mode: HTTPS to KUBERNETES_SERVICE_HOST/PORT, trusting the account's CA, sending its token. */
class K8sInClusterTest {
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir java.nio.file.Path account;

  private static Var<Addr> addr(K8sNamer namer, String path) {
    return ((Name.Resolved) ((NameTree.Leaf<Name>) namer.lookup(Path.read(path))).value()).bound().addr();
  }

  @Test
  void theServiceAccountsCaIsTrustedAndItsCurrentTokenSentWithEveryRequest() throws Exception {
    K8sStandIn api = cleanup.add(K8sStandIn.startHttps());
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.1"), List.of(), Map.of("http", 8080));
    api.endpoints("prod", "orders", Map.of(), List.of("10.1.0.2"), List.of(), Map.of("http", 8080));
    Files.copy(api.certificate(), account.resolve("ca.crt"));
    Files.writeString(account.resolve("token"), "token-one\n");
    Map<String, String> env = Map.of("KUBERNETES_SERVICE_HOST", "localhost", "KUBERNETES_SERVICE_PORT", Integer.toString(api.port()));
    K8sNamer namer = cleanup.add(K8sNamer.inCluster(env, account, K8sNamer.DEFAULT_PREFIX, Clock.systemUTC()));

    Var<Addr> users = addr(namer, "/prod/http/users");
    Await.until("bound over HTTPS, last " + users.get(), Duration.ofSeconds(10), () -> users.get() instanceof Addr.Bound);
    assertThat(namer.status().orElseThrow().source()).isEqualTo("kubernetes https://localhost:" + api.port());
    assertThat(api.authorizations()).isNotEmpty().allMatch(a -> a.equals("Bearer token-one"));

    Files.writeString(account.resolve("token"), "token-two\n");
    Var<Addr> orders = addr(namer, "/prod/http/orders");
    Await.until("bound with the new token", Duration.ofSeconds(10), () -> orders.get() instanceof Addr.Bound);
    assertThat(api.authorizations()).contains("Bearer token-two");
  }

  @Test
  void outsideAPodItSaysWhatIsMissing() {
    assertThatThrownBy(() -> K8sNamer.inCluster(Map.of(), account, K8sNamer.DEFAULT_PREFIX, Clock.systemUTC()))
        .hasMessageContaining("KUBERNETES_SERVICE_HOST is not set");
    assertThatThrownBy(
            () -> K8sNamer.inCluster(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), account, K8sNamer.DEFAULT_PREFIX, Clock.systemUTC()))
        .hasMessageContaining("cannot read " + account.resolve("token"));
  }
}
