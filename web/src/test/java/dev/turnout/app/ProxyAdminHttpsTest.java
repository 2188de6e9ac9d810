package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ClientTlsConfig;
import dev.turnout.config.ServerTlsConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.testing.Await;
import dev.turnout.testing.TestCerts;
import dev.turnout.tls.ClientTls;
import dev.turnout.tls.ServerTls;
import dev.turnout.tls.TlsReloader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy-only process's admin port (Undertow) over HTTPS with admin.tls. */
class ProxyAdminHttpsTest {
  static final TestCerts.Issued CA = TestCerts.ca("test CA");

  @TempDir Path dir;
  final AtomicLong ticker = new AtomicLong();
  final TlsReloader reloader = new TlsReloader(ticker::get, Duration.ofSeconds(2));
  ProxyMetrics metrics;
  ProxyAdmin admin;
  ClientTls client;
  Path cert;
  Path key;

  @BeforeEach
  void start() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "proxy.example.org");
    cert = leaf.writeCert(dir.resolve("admin.pem"));
    key = leaf.writeKey(dir.resolve("admin.key"));
    ServerTls tls = reloader.watch(ServerTls.load(ServerTlsConfig.of(cert, key), "admin.tls", Clock.systemUTC()));
    client = ClientTls.load(ClientTlsConfig.trusting(CA.writeCert(dir.resolve("ca.pem")), "proxy.example.org"), "t", Clock.systemUTC());
    metrics = new ProxyMetrics();
    admin = ProxyAdmin.start("127.0.0.1", 0, metrics, List.of(), () -> true, Optional.of(tls), () -> AdminTls.problems(reloader));
  }

  @AfterEach
  void stop() {
    admin.close();
    metrics.close();
  }

  HttpResponse<String> get(String path) throws Exception {
    HttpClient http = client.applyTo(HttpClient.newBuilder()).build();
    return http.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + admin.port() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthAnswersOverHttpsWithStrictTransportSecurity() throws Exception {
    HttpResponse<String> r = get("/health");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok\n");
    assertThat(r.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
  }

  @Test
  void aRotatedCertificateIsPresentedOnNewConnections() throws Exception {
    TestCerts.Issued next = TestCerts.leaf(CA, "proxy.example.org");
    next.writeCert(cert);
    next.writeKey(key);

    ticker.addAndGet(Duration.ofSeconds(2).toNanos());
    reloader.poll();

    Await.until("the new certificate is presented", Duration.ofSeconds(10), () -> {
      try {
        return get("/health").sslSession().orElseThrow().getPeerCertificates()[0].equals(next.cert());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThat((X509Certificate) get("/health").sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(next.cert());
  }
}
