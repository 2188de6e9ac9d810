package dev.turnout.naming.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ClientTlsConfig;
import dev.turnout.config.ServerTlsConfig;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Name;
import dev.turnout.naming.Var;
import dev.turnout.naming.consul.ConsulStandIn.Instance;
import dev.turnout.testing.Await;
import dev.turnout.testing.TestCerts;
import dev.turnout.tls.ClientTls;
import dev.turnout.tls.ServerTls;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The namer's {@code tls}: the agent over HTTPS, its certificate checked against {@code commonName}. */
class ConsulTlsTest {
  static final TestCerts.Issued CA = TestCerts.ca("consul CA");

  @TempDir java.nio.file.Path dir;
  private ConsulStandIn consul;
  private ConsulNamer namer;

  @BeforeEach
  void startAgent() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "consul.example.org");
    ServerTlsConfig server =
        new ServerTlsConfig(
            leaf.writeCert(dir.resolve("agent.pem")), leaf.writeKey(dir.resolve("agent.key")), Optional.empty(),
            Optional.empty(), false, List.of(), List.of());
    consul = new ConsulStandIn(ServerTls.load(server, "agent", Clock.systemUTC()).context(), "dc1");
    consul.register("dc1", "web", Instance.at("n1", 8001));
  }

  @AfterEach
  void stop() {
    if (namer != null) {
      namer.close();
    }
    consul.close();
  }

  private Var<Addr> bind(String commonName) {
    ClientTlsConfig config =
        new ClientTlsConfig(
            true, false, Optional.of(commonName), List.of(), Optional.of(CA.writeCert(dir.resolve("ca.pem"))),
            Optional.empty(), List.of());
    namer =
        new ConsulNamer(
            ConsulSettings.defaults(consul.host(), consul.port()),
            ConsulNamer.DEFAULT_PREFIX,
            Optional.of(ClientTls.load(config, "namers[0].tls", Clock.systemUTC())),
            Clock.systemUTC());
    NameTree<Name> tree = namer.lookup(Path.read("/dc1/web"));
    return ((Name.Resolved) ((NameTree.Leaf<Name>) tree).value()).bound().addr();
  }

  @Test
  void anAgentWhoseCertificateIsForTheCommonNameIsReadOverHttps() {
    Var<Addr> addr = bind("consul.example.org");

    Await.until("the name is bound over HTTPS", Duration.ofSeconds(10), () -> addr.get() instanceof Addr.Bound);

    assertThat(namer.status().orElseThrow().source()).isEqualTo("consul https://127.0.0.1:" + consul.port());
    assertThat(consul.seen()).isNotEmpty();
  }

  @Test
  void anAgentWithACertificateForAnotherNameIsRefusedAndSaysSo() {
    Var<Addr> addr = bind("other.example.org");

    Await.until("the name fails", Duration.ofSeconds(10), () -> addr.get() instanceof Addr.Failed);

    assertThat(namer.status().orElseThrow().stale()).isTrue();
    assertThat(namer.status().orElseThrow().lastError()).hasValueSatisfying(e -> assertThat(e).contains("TLS with consul").contains("is not for other.example.org"));
    assertThat(consul.seen()).isEmpty();
  }
}
