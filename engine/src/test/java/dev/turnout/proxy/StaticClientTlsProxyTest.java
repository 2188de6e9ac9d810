package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.ClientTlsConfig;
import dev.turnout.config.PathPattern;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerTlsConfig;
import dev.turnout.naming.FsNamer;
import dev.turnout.naming.Interpreter;
import dev.turnout.testing.Await;
import dev.turnout.testing.Backend;
import dev.turnout.testing.TestCerts;
import dev.turnout.tls.ServerTls;
import io.undertow.Undertow;
import io.undertow.server.ServerConnection;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-destination client TLS through {@code io.l5d.static} entries: one router routes {@code
 * /svc/NAME} to {@code /#/io.l5d.fs/NAME}, and the entry {@code prefix: /#/io.l5d.fs/{service}, tls:
 * {commonName: "{service}.example.com"}} makes each destination check its own name, against real TLS
 * backends each with its own certificate.
 */
class StaticClientTlsProxyTest {
  static final TestCerts.Issued CA = TestCerts.ca("backend CA");
  static final String FS = "/#/io.l5d.fs/";

  @TempDir Path dir;
  @TempDir Path disco;
  final List<TlsBackend> backends = new ArrayList<>();
  FsNamer namer;
  Fixture proxy;

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (namer != null) {
      namer.close();
    }
    backends.forEach(b -> b.server.stop());
  }

  @Test
  void eachServiceIsCheckedAgainstTheNameItsCaptureFillsIn() throws Exception {
    TlsBackend users = backend("users", "users.example.com");
    TlsBackend orders = backend("orders", "orders.example.com");
    start(entry("/#/io.l5d.fs/{service}", tls("{service}.example.com", ca())));

    HttpResponse<String> toUsers = proxy.get("users", "/");
    HttpResponse<String> toOrders = proxy.get("orders", "/");

    assertThat(toUsers.statusCode()).isEqualTo(200);
    assertThat(toUsers.body()).isEqualTo("users");
    assertThat(toOrders.statusCode()).isEqualTo(200);
    assertThat(toOrders.body()).isEqualTo("orders");
    assertThat(users.serverNames).containsExactly("users.example.com");
    assertThat(orders.serverNames).containsExactly("orders.example.com");
  }

  @Test
  void aBackendWithACertificateForAnotherServiceIsA502NamingTlsAndTheNameAndIsCounted() throws Exception {
    TlsBackend users = backend("users", "users.example.com");
    route("billing", users); // billing's endpoint presents users' certificate
    start(entry("/#/io.l5d.fs/{service}", tls("{service}.example.com", ca())));

    HttpResponse<String> r = proxy.get("billing", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(err(r)).contains("TLS handshake failed").contains("billing.example.com");
    assertThat(users.connections).as("nothing was sent to a peer that failed the check").isEmpty();
    assertThat(proxy.metrics.client("web", FS + "billing").failuresByClass()).containsKey("connect");
    assertThat(proxy.get("users", "/").statusCode()).as("the other destination is not affected").isEqualTo(200);
  }

  @Test
  void twoDestinationsWithDifferentNamesNeverShareAConnection() throws Exception {
    TlsBackend both = backend("users", "users.example.com", "alias.example.com");
    route("alias", both);
    start(entry("/#/io.l5d.fs/{service}", tls("{service}.example.com", ca())));

    for (int i = 0; i < 3; i++) {
      assertThat(proxy.get("users", "/").statusCode()).isEqualTo(200);
      assertThat(proxy.get("alias", "/").statusCode()).isEqualTo(200);
    }

    assertThat(both.serverNames).containsExactlyInAnyOrder("users.example.com", "alias.example.com");
    assertThat(both.connections).as("one pooled connection per name, each reused").hasSize(2);
  }

  @Test
  void aLaterEntryWithEnabledFalseSendsItsPrefixInPlaintext() throws Exception {
    backend("users", "users.example.com");
    try (Backend legacy = Backend.named("legacy")) {
      Files.writeString(disco.resolve("legacy"), "127.0.0.1 " + legacy.port() + "\n");
      start(
          entry("/#/io.l5d.fs/{service}", tls("{service}.example.com", ca())),
          entry("/#/io.l5d.fs/legacy", new ClientTlsConfig(
              false, false, Optional.empty(), List.of(), Optional.empty(), Optional.empty(), List.of())));

      HttpResponse<String> plain = proxy.get("legacy", "/");
      HttpResponse<String> secure = proxy.get("users", "/");

      assertThat(plain.statusCode()).isEqualTo(200);
      assertThat(plain.body()).isEqualTo("legacy");
      assertThat(secure.statusCode()).isEqualTo(200);
      assertThat(secure.body()).isEqualTo("users");
    }
  }

  @Test
  void aTrustBundleWhosePathHoldsACaptureIsReadAtFirstUseAndAMissingOneIsA502NamingTheFile() throws Exception {
    backend("users", "users.example.com");
    backend("orders", "orders.example.com");
    CA.writeCert(dir.resolve("users-ca.pem"));
    start(entry("/#/io.l5d.fs/{service}", tls("{service}.example.com", dir.resolve("{service}-ca.pem"))));

    HttpResponse<String> users = proxy.get("users", "/");
    HttpResponse<String> orders = proxy.get("orders", "/");

    assertThat(users.statusCode()).isEqualTo(200);
    assertThat(orders.statusCode()).isEqualTo(502);
    assertThat(err(orders))
        .contains("TLS")
        .contains("routers[0].client.configs[0].tls.trustCertsBundle " + dir.resolve("orders-ca.pem") + ": no such file");
    assertThat(proxy.metrics.client("web", FS + "orders").failuresByClass()).containsKey("connect");

    CA.writeCert(dir.resolve("orders-ca.pem"));

    long put = System.nanoTime();
    Await.until("the bundle put in place is read without a restart", Duration.ofSeconds(15),
        () -> proxy.get("orders", "/").statusCode() == 200);
    System.out.println("orders answered " + (System.nanoTime() - put) / 1_000_000 + " ms after its bundle was put in place");
  }

  // ---- helpers

  private static String err(HttpResponse<String> r) {
    return r.headers().firstValue("l5d-err").map(e -> URLDecoder.decode(e, StandardCharsets.UTF_8)).orElse("");
  }

  private Path ca() {
    return CA.writeCert(dir.resolve("ca.pem"));
  }

  private static ClientTlsConfig tls(String commonName, Path bundle) {
    return new ClientTlsConfig(
        true, false, Optional.of(commonName), List.of(), Optional.of(bundle), Optional.empty(), List.of());
  }

  private static ClientConfig.Entry entry(String prefix, ClientTlsConfig tls) {
    return new ClientConfig.Entry(new PathPattern(prefix), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(tls));
  }

  private void start(ClientConfig.Entry... entries) {
    namer = new FsNamer(disco, FsNamer.DEFAULT_PREFIX, Duration.ofMillis(50));
    RouterConfig r = Fixture.router("/svc => /#/io.l5d.fs;");
    ClientConfig c = r.client();
    ClientConfig withEntries =
        new ClientConfig(c.failureAccrual(), c.loadBalancer(), c.connectTimeout(), c.requestAttemptTimeout(),
            c.hostConnectionPool(), c.failFast(), c.requeueBudget(), List.of(entries));
    proxy = new Fixture(Fixture.withClient(r, withEntries),
        new Interpreter(List.of(new Interpreter.Mount(namer.mountPrefix(), namer))));
  }

  private void route(String service, TlsBackend to) throws Exception {
    Files.writeString(disco.resolve(service), "127.0.0.1 " + to.port() + "\n");
  }

  /** A real HTTPS backend answering its name, recording its connections and the SNI names asked for. */
  private TlsBackend backend(String name, String... certNames) throws Exception {
    TestCerts.Issued leaf = TestCerts.leaf(CA, certNames);
    ServerTlsConfig config =
        new ServerTlsConfig(
            leaf.writeCert(dir.resolve(name + ".pem")), leaf.writeKey(dir.resolve(name + ".key")), Optional.empty(),
            Optional.empty(), false, List.of(), List.of());
    TlsBackend b = new TlsBackend(name, ServerTls.load(config, name, Clock.systemUTC()));
    backends.add(b);
    route(name, b);
    return b;
  }

  static final class TlsBackend {
    final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    final Set<String> serverNames = ConcurrentHashMap.newKeySet();
    final Undertow server;

    TlsBackend(String name, ServerTls tls) {
      server =
          Undertow.builder()
              .addHttpsListener(0, "127.0.0.1", tls.context())
              .setHandler(ex -> {
                connections.add(ex.getConnection());
                ExtendedSSLSession s = (ExtendedSSLSession) ex.getConnection().getSslSessionInfo().getSSLSession();
                s.getRequestedServerNames().forEach(n -> serverNames.add(((SNIHostName) n).getAsciiName()));
                ex.getResponseSender().send(name);
              })
              .build();
      server.start();
    }

    int port() {
      return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }
  }
}
