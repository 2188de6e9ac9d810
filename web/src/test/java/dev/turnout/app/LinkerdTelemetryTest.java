package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.turnout.testing.Await;
import dev.turnout.testing.PrometheusText;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy-only process started on a Linkerd config with {@code io.l5d.prometheus}: requests sent
 * through its router are what a Linkerd dashboard reads at the telemeter's path.
 */
class LinkerdTelemetryTest {
  static {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private HttpServer backend;
  private ProxyProcess process;
  private int proxyPort;

  @BeforeEach
  void start() throws Exception {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", ex -> {
      byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(ex.getRequestURI().getPath().endsWith("/boom") ? 500 : 200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    backend.start();
    Path config = Files.writeString(dir.resolve("linkerd.yml"), """
        routers:
        - protocol: http
          label: incoming
          dtab: /svc => /$/inet/127.0.0.1/%d;
          servers: [{ip: 127.0.0.1, port: 4140}]
        telemetry:
        - kind: io.l5d.prometheus
          prefix: linkerd_
        """.formatted(backend.getAddress().getPort()));
    process = ProxyProcess.start(
        new TurnoutServer.Options(config, dir.resolve("data"), 0, 0, false, Duration.ZERO),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    Matcher m = Pattern.compile("proxy listening on 127\\.0\\.0\\.1:(\\d+)").matcher(out.toString(StandardCharsets.UTF_8));
    assertThat(m.find()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
    proxyPort = Integer.parseInt(m.group(1));
  }

  @AfterEach
  void stop() {
    if (process != null) {
      process.close();
    }
    backend.stop(0);
  }

  private int send(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path)).header("Host", "users").build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private PrometheusText scrape() {
    try {
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + process.adminPort() + "/admin/metrics/prometheus"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return PrometheusText.parse(r.body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void requestsThroughTheRouterAreCountedUnderLinkerdsNamesAtTheTelemetersPath() throws Exception {
    for (int i = 0; i < 7; i++) {
      assertThat(send("/hello")).isEqualTo(200);
    }
    for (int i = 0; i < 2; i++) {
      assertThat(send("/boom")).isEqualTo(500);
    }

    String[] service = {"rt", "incoming", "service", "svc/users"};
    String client = "$/inet/127.0.0.1/" + backend.getAddress().getPort();
    // The latency windows are closed by the process's once-a-second tick, the service's and the
    // client's each on its own turn: the assertions read the one scrape in which both count everything.
    PrometheusText[] seen = new PrometheusText[1];
    Await.until("the latency summaries count every request", Duration.ofSeconds(10), () -> {
      seen[0] = scrape();
      return seen[0].value("linkerd_rt:service:request_latency_ms_count", service).orElse(0.0) == 9
          && seen[0].value("linkerd_rt:client:request_latency_ms_count", "rt", "incoming", "client", client)
              .orElse(0.0) == 9;
    });
    PrometheusText text = seen[0];
    assertThat(text.value("linkerd_rt:service:requests", service)).hasValue(9.0);
    assertThat(text.value("linkerd_rt:service:success", service)).hasValue(7.0);
    assertThat(text.value("linkerd_rt:service:failures", service)).hasValue(2.0);
    assertThat(text.value("linkerd_rt:service:failures", "rt", "incoming", "service", "svc/users", "exception", "500"))
        .hasValue(2.0);
    assertThat(text.value("linkerd_rt:service:pending", service)).hasValue(0.0);
    assertThat(text.value("linkerd_rt:client:requests", "rt", "incoming", "client", client)).hasValue(9.0);
    assertThat(text.value("linkerd_rt:client:success", "rt", "incoming", "client", client)).hasValue(7.0);
    assertThat(text.value("linkerd_rt:client:service:requests", "rt", "incoming", "client", client, "service", "svc/users"))
        .hasValue(9.0);
    assertThat(text.value("linkerd_rt:client:request_latency_ms", "rt", "incoming", "client", client, "quantile", "0.99"))
        .hasValueSatisfying(ms -> assertThat(ms).isPositive());
    assertThat(text.type("linkerd_rt:client:request_latency_ms")).hasValue("summary");
  }
}
