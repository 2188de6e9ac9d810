package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.PrometheusTelemetry;
import dev.turnout.metrics.ProxyMetrics;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProxyAdminTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicBoolean serving = new AtomicBoolean();
  private ProxyMetrics metrics;
  private ProxyAdmin admin;

  @BeforeEach
  void start() {
    metrics = new ProxyMetrics();
    metrics.router("web", () -> java.util.Optional.of("default"), () -> 1L);
    metrics.service("web", "/svc/users").start();
    admin = ProxyAdmin.start("127.0.0.1", 0, metrics, List.of(PrometheusTelemetry.defaults()), serving::get);
  }

  @AfterEach
  void stop() {
    admin.close();
    metrics.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anHttp09RequestLineIsAnswered505() throws Exception {
    serving.set(true);
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", admin.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET /health HTTP/0.9\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);

      assertThat(answer).contains(" 505 ").contains("is not supported").doesNotContain("ok\n");
    }
  }

  @Test
  void healthIs503UntilTheProxyServesThen200() throws Exception {
    HttpResponse<String> before = get("/health");

    serving.set(true);
    HttpResponse<String> after = get("/health");

    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body()).isEqualTo("not serving\n");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.body()).isEqualTo("ok\n");
  }

  @Test
  void metricsAreServedInPrometheusTextToAnyCaller() throws Exception {
    HttpResponse<String> r = get("/metrics");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body()).contains("router=\"web\"");
  }

  @Test
  void metricsJsonIsOneFlatObjectIndentedOnlyWhenPretty() throws Exception {
    HttpResponse<String> flat = get("/admin/metrics.json");
    HttpResponse<String> pretty = get("/admin/metrics.json?pretty");

    assertThat(flat.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(flat.body()).startsWith("{\"").contains("rt/web/service/svc/users/requests").doesNotContain("\n");
    assertThat(pretty.body()).contains("\n  \"");
  }

  @Test
  void linkerdsPrometheusNamesAreServedAtTheTelemetersPathToAnyCaller() throws Exception {
    HttpResponse<String> r = get("/admin/metrics/prometheus");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body()).contains("rt:service:pending{rt=\"web\",service=\"svc/users\"} 1");
  }

  @Test
  void anyOtherPathIs404AndAnyOtherMethod405() throws Exception {
    HttpResponse<String> missing = get("/dashboard");
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/health"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void aPortInUseIsRefusedNamingTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> ProxyAdmin.start("127.0.0.1", port, metrics, List.of(), serving::get))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + " for the admin server (set by admin.port in the"
              + " config, or --admin-port): ");
    }
  }
}
