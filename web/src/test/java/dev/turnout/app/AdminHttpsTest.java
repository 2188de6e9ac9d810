package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.ClientTlsConfig;
import dev.turnout.testing.Await;
import dev.turnout.testing.TestCerts;
import dev.turnout.tls.ClientTls;
import dev.turnout.tls.TlsReloader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane's admin port over HTTPS with admin.tls, reached by the JDK's own HTTPS client. */
class AdminHttpsTest {
  static final TestCerts.Issued CA = TestCerts.ca("test CA");

  @TempDir Path dir;
  final AtomicLong ticker = new AtomicLong();
  TurnoutServer server;
  Path cert;
  Path key;
  ClientTls client;

  @BeforeEach
  void start() throws Exception {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost", "127.0.0.1");
    cert = leaf.writeCert(dir.resolve("admin.pem"));
    key = leaf.writeKey(dir.resolve("admin.key"));
    Path config = Files.writeString(dir.resolve("turnout.yml"),
        "admin: {ip: 127.0.0.1, port: 0, tls: {certPath: admin.pem, keyPath: admin.key}}\n"
            + "routers: [{protocol: http, servers: [{port: 0}]}]\n");
    client = ClientTls.load(ClientTlsConfig.trusting(CA.writeCert(dir.resolve("ca.pem")), "localhost"), "test", Clock.systemUTC());
    server = TurnoutServer.start(
        new TurnoutServer.Options(config, dir.resolve("data"), null, null, false),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new TlsReloader(ticker::get, Duration.ofSeconds(2)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A fresh client each time, so every request makes a new connection with a full handshake. */
  HttpResponse<String> send(String method, String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(client.context()).sslParameters(client.parameters()).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.adminPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10))
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  X509Certificate presented() throws Exception {
    return (X509Certificate) send("GET", "/health").sslSession().orElseThrow().getPeerCertificates()[0];
  }

  @Test
  void healthAnswersOverHttpsWithStrictTransportSecurity() throws Exception {
    HttpResponse<String> r = send("GET", "/health");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok\n");
    assertThat(r.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
  }

  @Test
  void theDashboardCarriesTheSecurityHeadersAndASecureCookie() throws Exception {
    HttpResponse<String> r = send("GET", "/login");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
        .contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
        .doesNotContain("unsafe-inline"));
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t.toLowerCase()).matches("text/html; ?charset=utf-8"));
    assertThat(r.headers().allValues("Set-Cookie")).isNotEmpty().allSatisfy(c -> assertThat(c).contains("; Secure"));
  }

  @Test
  void headIsAnsweredWithTheHeadersOfGet() throws Exception {
    HttpResponse<String> get = send("GET", "/login");

    HttpResponse<String> head = send("HEAD", "/login");

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Type")).isEqualTo(get.headers().firstValue("Content-Type"));
    assertThat(head.headers().firstValue("Content-Security-Policy")).isPresent();
    assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(get.body().getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void aPlaintextRequestGetsNoHttpAnswer() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.adminPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();

      byte[] answer = in.readNBytes(5);

      assertThat(new String(answer, StandardCharsets.US_ASCII)).doesNotStartWith("HTTP");
    }
  }

  @Test
  void newConnectionsGetARotatedCertificateWhileHealthStays200() throws Exception {
    X509Certificate before = presented();
    TestCerts.Issued next = TestCerts.leaf(CA, "localhost", "127.0.0.1");
    next.writeCert(cert);
    next.writeKey(key);

    ticker.addAndGet(Duration.ofSeconds(2).toNanos());

    Await.until("the new certificate is presented", Duration.ofSeconds(10), () -> {
      try {
        return presented().equals(next.cert());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThat(before).isNotEqualTo(next.cert());
  }

  @Test
  void aBadNewCertificateKeepsTheOldAndHealthNamesTheFile() throws Exception {
    X509Certificate before = presented();
    TestCerts.Issued expired = TestCerts.expiredLeaf(CA, "localhost");
    expired.writeCert(cert);
    expired.writeKey(key);

    ticker.addAndGet(Duration.ofSeconds(2).toNanos());

    Await.until("health names the problem", Duration.ofSeconds(10), () -> {
      try {
        return send("GET", "/health").body().contains("tls: admin.tls.certPath " + cert);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    HttpResponse<String> health = send("GET", "/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).startsWith("ok\n").contains("expired on").contains("(still using the files loaded before)");
    assertThat(presented()).isEqualTo(before);
  }

  @Test
  void aClientCheckingAnotherNameIsRefused() {
    ClientTls other = ClientTls.load(ClientTlsConfig.trusting(dir.resolve("ca.pem"), "cp.example.org"), "test", Clock.systemUTC());
    HttpClient http = HttpClient.newBuilder().sslContext(other.context()).sslParameters(other.parameters()).build();

    assertThatThrownBy(() -> http.send(
            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.adminPort() + "/health")).build(),
            HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
  }
}
