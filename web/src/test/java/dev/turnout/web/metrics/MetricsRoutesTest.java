package dev.turnout.web.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.config.PrometheusTelemetry;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.TrafficStats;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.Role;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsRoutesTest {
  private static final String LINKERD = "/admin/metrics/prometheus";
  private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
  private final ProxyMetrics metrics = new ProxyMetrics(nanos::get, Clock.systemUTC());
  private final HttpClient http = HttpClient.newHttpClient();
  private Javalin app;
  private JdbcDtabStore store;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    metrics.router("web", () -> Optional.of("default"), () -> 7);
    TrafficStats users = metrics.service("web", "/svc/users");
    users.start();
    users.finish(true, "", 2_000_000);
    users.start();
    users.finish(false, "500", 4_000_000);
    metrics.tick();
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).passwordIterations(2).open();
    store.userStore().put("viewer", Role.VIEWER, "viewer-password".toCharArray());
    List<PrometheusTelemetry> telemetry = List.of(new PrometheusTelemetry(LINKERD, "linkerd_"));
    app = Javalin.create(c -> MetricsRoutes.register(c, metrics, store.userStore(), telemetry)).start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
    store.close();
  }

  @Test
  void aRequestThatCameThroughAProxyNeedsALoginEvenFromLoopback() throws Exception {
    for (String path : new String[] {MetricsRoutes.PROMETHEUS, MetricsRoutes.JSON, LINKERD}) {
      HttpResponse<String> proxied = get(path, "Via", "1.1 turnout-0a1b2c3d", "l5d-dst-service", "/svc/metrics");
      HttpResponse<String> signedIn =
          get(path, "Via", "1.1 turnout-0a1b2c3d", "Authorization", basic("viewer", "viewer-password"));

      assertThat(proxied.statusCode()).as(path).isEqualTo(401);
      assertThat(proxied.body()).as(path).doesNotContain("turnout_service_requests_total").doesNotContain("rt/")
          .doesNotContain("rt:");
      assertThat(signedIn.statusCode()).as(path).isEqualTo(200);
    }
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).headers(headers).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
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

  @Test
  void linkerdNamesWithTheTelemetersPrefixAreServedAtItsPathToALoopbackCaller() throws Exception {
    HttpResponse<String> r = get(LINKERD);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(MetricsRoutes.PROMETHEUS_TYPE);
    assertThat(r.body())
        .contains("linkerd_rt:service:requests{rt=\"web\",service=\"svc/users\"} 2\n")
        .contains("linkerd_rt:service:failures{rt=\"web\",service=\"svc/users\",exception=\"500\"} 1\n")
        .contains("linkerd_rt:service:request_latency_ms_count{rt=\"web\",service=\"svc/users\"} 2\n");
  }

  @Test
  void everyRouteOfTheControlPlanesAdminServerIsRefusedAsATelemetryPath() {
    List<String> routes = new java.util.ArrayList<>(List.of(MetricsRoutes.PROMETHEUS, MetricsRoutes.JSON, "/health"));
    for (Class<?> holder : new Class<?>[] {dev.turnout.web.api.DtabApi.class, dev.turnout.web.api.FleetApi.class,
        dev.turnout.web.api.NamingRoutes.class}) {
      routes.addAll(constantPaths(holder));
    }
    routes.addAll(constantPaths(dev.turnout.web.Routes.class));
    routes.addAll(constantPaths(dev.turnout.web.Assets.class));

    assertThat(routes).hasSizeGreaterThan(10).allSatisfy(path ->
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PrometheusTelemetry(path.replace("{ns}", "x"), ""))
            .as(path)
            .isInstanceOf(IllegalArgumentException.class));
  }

  private static List<String> constantPaths(Class<?> holder) {
    List<String> out = new java.util.ArrayList<>();
    for (java.lang.reflect.Field f : holder.getFields()) {
      if (f.getType() == String.class && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
        try {
          String v = (String) f.get(null);
          if (v.startsWith("/")) {
            out.add(v);
          }
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return out;
  }
}
