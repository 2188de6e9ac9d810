package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.ClientTlsConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerConfig;
import dev.turnout.config.ServerTlsConfig;
import dev.turnout.metrics.Nanos;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.testing.Await;
import dev.turnout.testing.Backend;
import dev.turnout.testing.TestCerts;
import dev.turnout.tls.ClientTls;
import dev.turnout.tls.TlsReloader;
import dev.turnout.tracing.Tracing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Router servers with {@code tls}: HTTPS to callers, plaintext to the backend, certificates rotated in place. */
class ServerTlsProxyTest {
  static {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  static final TestCerts.Issued CA = TestCerts.ca("router CA");

  @TempDir Path dir;
  final Backend users = Backend.named("users");
  final ProxyMetrics metrics = new ProxyMetrics();
  final AtomicLong ticker = new AtomicLong();
  final TlsReloader reloader = new TlsReloader(ticker::get, Duration.ofSeconds(2));
  RunningProxy proxy;
  Path cert;
  Path key;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close(Duration.ofSeconds(1));
    }
    metrics.close();
    users.close();
  }

  @Test
  void anHttpsCallerIsRoutedToAPlaintextBackend() throws Exception {
    start(false);

    HttpResponse<String> r = get(client(Optional.empty()));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("users");
    assertThat(r.sslSession()).isPresent();
    assertThat(users.hits.get()).isEqualTo(1);
  }

  @Test
  void aServerRequiringClientCertificatesAnswersOnlyCallersThatPresentOne() throws Exception {
    start(true);
    TestCerts.Issued caller = TestCerts.leaf(CA, "caller.example.org");
    ClientTlsConfig.ClientAuth auth =
        new ClientTlsConfig.ClientAuth(
            caller.writeCert(dir.resolve("caller.pem")), caller.writeKey(dir.resolve("caller.key")), Optional.empty());

    HttpResponse<String> withCert = get(client(Optional.of(auth)));

    assertThat(withCert.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> get(client(Optional.empty()))).isInstanceOf(IOException.class);
    assertThat(users.hits.get()).isEqualTo(1);
  }

  @Test
  void plaintextOnTheTlsPortGetsNoHttpAnswer() throws Exception {
    start(false);

    String answer;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", proxy.port("web")), 2_000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: users\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      answer = readUntilClosed(s.getInputStream());
    }

    assertThat(answer).doesNotContain("HTTP/");
    assertThat(users.hits.get()).isZero();
  }

  @Test
  void aSwappedCertificateIsPresentedOnNewConnections() throws Exception {
    start(false);
    TestCerts.Issued next = TestCerts.leaf(CA, "proxy.example.org");
    next.writeCert(cert);
    next.writeKey(key);

    ticker.addAndGet(Duration.ofSeconds(2).toNanos());
    reloader.poll();

    Await.until("the new certificate is presented", Duration.ofSeconds(10), () -> presented().equals(next.cert()));
    assertThat(presented()).isEqualTo(next.cert());
  }

  @Test
  void aBoundTlsListenerAnswersOnlyOnceTheRouterOpens() throws Exception {
    start(false, false);
    CompletableFuture<HttpResponse<String>> answer =
        client(Optional.empty()).sendAsync(request(), HttpResponse.BodyHandlers.ofString());

    assertThatThrownBy(() -> answer.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    proxy.open("web");

    assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(users.hits.get()).isEqualTo(1);
  }

  private void start(boolean requireClientAuth) {
    start(requireClientAuth, true);
  }

  private void start(boolean requireClientAuth, boolean openNow) {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "proxy.example.org");
    cert = leaf.writeCert(dir.resolve("proxy.pem"));
    key = leaf.writeKey(dir.resolve("proxy.key"));
    ServerTlsConfig tls =
        new ServerTlsConfig(
            cert, key, Optional.empty(), Optional.of(CA.writeCert(dir.resolve("ca.pem"))), requireClientAuth,
            List.of(), List.of());
    RouterConfig config =
        Fixture.withServer(
            Fixture.router("/svc => /$/inet/127.0.0.1/" + users.port() + ";"),
            new ServerConfig("127.0.0.1", 0, false, ServerConfig.Overrides.ACCEPT, Optional.of(tls)));
    proxy =
        ProxyServer.start(
            List.of(config), new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()), metrics, Nanos.SYSTEM,
            IoThreads.start(), true, openNow, Tracing.off(), ProxyTls.watchedBy(reloader));
  }

  private HttpClient client(Optional<ClientTlsConfig.ClientAuth> auth) {
    ClientTlsConfig c =
        new ClientTlsConfig(
            true, false, Optional.of("proxy.example.org"), List.of(), Optional.of(dir.resolve("ca.pem")), auth,
            List.of());
    ClientTls tls = ClientTls.load(c, "test", Clock.systemUTC());
    return tls.applyTo(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))).build();
  }

  private HttpResponse<String> get(HttpClient http) throws IOException, InterruptedException {
    return http.send(request(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request() {
    URI uri = URI.create("https://127.0.0.1:" + proxy.port("web") + "/");
    return HttpRequest.newBuilder(uri).header("Host", "users").timeout(Duration.ofSeconds(10)).build();
  }

  /** The certificate the router presents to a new connection. */
  private Object presented() {
    try {
      return get(client(Optional.empty())).sslSession().orElseThrow().getPeerCertificates()[0];
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static String readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1024];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // a reset is a closed connection too
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
