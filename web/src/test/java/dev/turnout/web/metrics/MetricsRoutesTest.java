package dev.turnout.web.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.TrafficStats;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsRoutesTest {
  private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
  private final ProxyMetrics metrics = new ProxyMetrics(nanos::get, Clock.systemUTC());
  private final HttpClient http = HttpClient.newHttpClient();
  private Javalin app;

  @BeforeEach
  void start() {
    metrics.router("web", () -> Optional.of("default"), () -> 7);
    TrafficStats users = metrics.service("web", "/svc/users");
    users.start();
    users.finish(true, "", 2_000_000);
    users.start();
    users.finish(false, "500", 4_000_000);
    metrics.tick();
    app = Javalin.create(c -> MetricsRoutes.register(c, metrics)).start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void prometheusTextNamesRouterServiceAndDtabVersion() throws Exception {
    HttpResponse<String> r = get(MetricsRoutes.PROMETHEUS);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("turnout_service_requests_total{router=\"web\",service=\"/svc/users\"} 2.0")
        .contains("turnout_service_failures_by_class_total{class=\"500\",router=\"web\",service=\"/svc/users\"} 1.0")
        .contains("turnout_router_dtab_version{router=\"web\"} 7.0")
        .contains("turnout_namespace_dtab_version{namespace=\"default\",router=\"web\"} 7.0");
  }

  @Test
  void flatJsonUsesLinkerdNames() throws Exception {
    JsonNode json = new ObjectMapper().readTree(get(MetricsRoutes.JSON).body());

    assertThat(json.get("rt/web/service/svc/users/requests").asLong()).isEqualTo(2);
    assertThat(json.get("rt/web/service/svc/users/success").asLong()).isEqualTo(1);
    assertThat(json.get("rt/web/service/svc/users/failures/500").asLong()).isEqualTo(1);
    assertThat(json.get("rt/web/service/svc/users/request_latency_ms.p99").asDouble()).isBetween(3.9, 4.1);
    assertThat(json.get("rt/web/dtab/version").asLong()).isEqualTo(7);
  }
}
