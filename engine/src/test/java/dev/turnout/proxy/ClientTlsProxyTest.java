package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ClientTlsConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerTlsConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.testing.Backend;
import dev.turnout.testing.TestCerts;
import dev.turnout.tls.ServerTls;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.ServerConnection;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;

/** A router's {@code client.tls}: requests reach real HTTPS backends, checked against {@code commonName}. */
class ClientTlsProxyTest {
  static final TestCerts.Issued CA = TestCerts.ca("backend CA");

  @TempDir Path dir;
  Undertow backend;
  Fixture proxy;
  final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
  final Set<String> serverNames = ConcurrentHashMap.newKeySet();

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (backend != null) {
      backend.stop();
    }
  }

  @Test
  void aBackendWhoseCertificateIsForTheCommonNameAnswers() {
    startBackend(TestCerts.leaf(CA, "users.example.org"), false);
    startProxy(client("users.example.org", Optional.empty()));

    HttpResponse<String> r = proxy.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("secure");
    assertThat(serverNames).containsExactly("users.example.org");
  }

  @Test
  void aBackendWithACertificateForAnotherNameIsA502NamingTls() {
    startBackend(TestCerts.leaf(CA, "other.example.org"), false);
    startProxy(client("users.example.org", Optional.empty()));

    HttpResponse<String> r = proxy.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("l5d-err").map(e -> URLDecoder.decode(e, StandardCharsets.UTF_8))).hasValueSatisfying(e ->
        assertThat(e).contains("TLS handshake failed").contains("users.example.org"));
    assertThat(connections).isEmpty();
  }

  @Test
  void aBackendWhoseCertificateNoTrustedCaSignedIsA502NamingTls() {
    startBackend(TestCerts.leaf(TestCerts.ca("someone else's CA"), "users.example.org"), false);
    startProxy(client("users.example.org", Optional.empty()));

    HttpResponse<String> r = proxy.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("l5d-err").map(e -> URLDecoder.decode(e, StandardCharsets.UTF_8))).hasValueSatisfying(e -> assertThat(e).contains("TLS handshake failed"));
    assertThat(connections).isEmpty();
  }

  @Test
  void theClientCertificateIsPresentedToABackendThatRequiresOne() {
    startBackend(TestCerts.leaf(CA, "users.example.org"), true);
    TestCerts.Issued proxyCert = TestCerts.leaf(CA, "proxy.example.org");
    ClientTlsConfig.ClientAuth auth =
        new ClientTlsConfig.ClientAuth(
            proxyCert.writeCert(dir.resolve("proxy.pem")), proxyCert.writeKey(dir.resolve("proxy.key")), Optional.empty());
    startProxy(client("users.example.org", Optional.of(auth)));

    HttpResponse<String> r = proxy.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("secure");
  }

  @Test
  void aBackendThatRequiresAClientCertificateRefusesAProxyWithoutOne() {
    startBackend(TestCerts.leaf(CA, "users.example.org"), true);
    startProxy(client("users.example.org", Optional.empty()));

    HttpResponse<String> r = proxy.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("l5d-err").map(e -> URLDecoder.decode(e, StandardCharsets.UTF_8))).hasValueSatisfying(e -> assertThat(e).contains("TLS"));
  }

  @Test
  void requestsInTurnReuseOneTlsConnection() {
    startBackend(TestCerts.leaf(CA, "users.example.org"), false);
    startProxy(client("users.example.org", Optional.empty()));

    for (int i = 0; i < 5; i++) {
      assertThat(proxy.get("users", "/").statusCode()).isEqualTo(200);
    }

    assertThat(connections).hasSize(1);
  }

  @Test
  void aHandshakeThatEndsOnTheBackendsLastMessageCarriesRequests() {
    // Under TLS 1.2 the client's handshake ends when it reads the server's Finished, so the connection
    // is ready inside the TLS layer's own read (as against nginx whatever the version); the request
    // must still go out once that read is over.
    startBackend(TestCerts.leaf(CA, "users.example.org"), false);
    startProxy(client("users.example.org", Optional.empty(), List.of("TLSv1.2")));

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = proxy.get("users", "/");

      assertThat(r.statusCode()).as("request %s: %s", i, r.headers().firstValue("l5d-err")).isEqualTo(200);
      assertThat(r.body()).isEqualTo("secure");
    }
    assertThat(connections).hasSize(1);
  }

  @Test
  void aStreamedBodyGoesOverTlsToo() throws Exception {
    startBackend(TestCerts.leaf(CA, "users.example.org"), false);
    startProxy(client("users.example.org", Optional.empty()));
    byte[] big = new byte[3 * 1024 * 1024];

    HttpResponse<String> r =
        proxy.http.send(
            HttpRequest.newBuilder(proxy.uri("/upload")).header("Host", "users").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("secure " + big.length);
    assertThat(serverNames).containsExactly("users.example.org");
  }

  @Test
  void aStreamedBodyToABackendForAnotherNameIsA502AndNeverSent() throws Exception {
    startBackend(TestCerts.leaf(CA, "other.example.org"), false);
    startProxy(client("users.example.org", Optional.empty()));

    HttpResponse<String> r =
        proxy.http.send(
            HttpRequest.newBuilder(proxy.uri("/upload")).header("Host", "users").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[256 * 1024])).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("l5d-err").map(e -> URLDecoder.decode(e, StandardCharsets.UTF_8)))
        .hasValueSatisfying(e -> assertThat(e).contains("TLS handshake failed"));
    assertThat(connections).isEmpty();
  }

  @Test
  void aPlaintextClientOfTheSameAddressNeverGetsATlsConnection() throws Exception {
    startBackend(TestCerts.leaf(CA, "users.example.org"), false);
    RouterConfig base = Fixture.router("/svc => /$/inet/127.0.0.1/" + backendPort() + ";");
    RouterConfig secure = base.withClient(base.client().withTls(Optional.of(client("users.example.org", Optional.empty()))));
    RouterConfig plain =
        new RouterConfig("plain", base.protocol(), base.dtab(), base.identifiers(), base.dstPrefix(), base.interpreter(),
            base.servers(), base.client(), base.service(), base.bindingTimeout(), base.requestTimeout(),
            base.maxCallDepth(), base.skipUnavailableAlternatives());
    ProxyMetrics metrics = new ProxyMetrics();
    RunningProxy both =
        ProxyServer.start(List.of(secure, plain), new Interpreter(List.of()), c -> DtabSource.fixed(c.dtab()), metrics);
    try {
      HttpClient http = HttpClient.newHttpClient();

      HttpResponse<String> overTls = http.send(request(both.port("web")), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> inPlaintext = http.send(request(both.port("plain")), HttpResponse.BodyHandlers.ofString());

      assertThat(overTls.statusCode()).isEqualTo(200);
      assertThat(inPlaintext.statusCode()).isEqualTo(502);
      assertThat(connections).hasSize(1);
    } finally {
      both.close(Duration.ofSeconds(1));
      metrics.close();
    }
  }

  @Test
  void aShadowOfARouterWhoseClientSpeaksTlsGetsNoPlaintextCopy() {
    try (Backend shadow = Backend.named("shadow")) {
      startBackend(TestCerts.leaf(CA, "users.example.org"), false);
      RouterConfig r =
          Fixture.router("/svc => /$/inet/127.0.0.1/" + backendPort() + ";\n"
              + "#@mirror /svc/users => /$/inet/127.0.0.1/" + shadow.port() + " 100%\n");
      proxy = new Fixture(Fixture.withClient(r, r.client().withTls(Optional.of(client("users.example.org", Optional.empty())))));

      for (int i = 0; i < 5; i++) {
        assertThat(proxy.get("users", "/").statusCode()).isEqualTo(200);
      }

      Fixture.await(() -> proxy.metrics.shadowSkippedCount("web") == 5, Duration.ofSeconds(5));
      assertThat(proxy.metrics.shadow("web", "/svc/users").requests()).isEqualTo(5);
      assertThat(shadow.hits.get()).as("the copies' headers and bodies never left in plaintext").isZero();
    }
  }

  private static HttpRequest request(int port) {
    return HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/")).header("Host", "users")
        .timeout(Duration.ofSeconds(10)).build();
  }

  private ClientTlsConfig client(String commonName, Optional<ClientTlsConfig.ClientAuth> auth) {
    return client(commonName, auth, List.of());
  }

  private ClientTlsConfig client(String commonName, Optional<ClientTlsConfig.ClientAuth> auth, List<String> protocols) {
    return new ClientTlsConfig(
        true, false, Optional.of(commonName), List.of(), Optional.of(CA.writeCert(dir.resolve("ca.pem"))), auth,
        protocols);
  }

  private void startBackend(TestCerts.Issued leaf, boolean requireClientAuth) {
    ServerTlsConfig config =
        new ServerTlsConfig(
            leaf.writeCert(dir.resolve("backend.pem")), leaf.writeKey(dir.resolve("backend.key")), Optional.empty(),
            Optional.of(CA.writeCert(dir.resolve("backend-ca.pem"))), requireClientAuth, List.of(), List.of());
    ServerTls tls = ServerTls.load(config, "backend", Clock.systemUTC());
    backend =
        Undertow.builder()
            .addHttpsListener(0, "127.0.0.1", tls.context())
            // a body bigger than the proxy holds whole, so that it is streamed through Undertow's client
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
            .setSocketOption(
                Options.SSL_CLIENT_AUTH_MODE,
                requireClientAuth ? SslClientAuthMode.REQUIRED : SslClientAuthMode.NOT_REQUESTED)
            .setHandler(ex -> {
              connections.add(ex.getConnection());
              ExtendedSSLSession s = (ExtendedSSLSession) ex.getConnection().getSslSessionInfo().getSSLSession();
              s.getRequestedServerNames().forEach(n -> serverNames.add(((SNIHostName) n).getAsciiName()));
              ex.getRequestReceiver().receiveFullBytes((e, body) -> e.getResponseSender().send(
                  body.length == 0 ? "secure" : "secure " + body.length));
            })
            .build();
    backend.start();
  }

  private int backendPort() {
    return ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
  }

  private void startProxy(ClientTlsConfig tls) {
    RouterConfig r = Fixture.router("/svc => /$/inet/127.0.0.1/" + backendPort() + ";");
    proxy = new Fixture(Fixture.withClient(r, r.client().withTls(Optional.of(tls))));
  }
}
