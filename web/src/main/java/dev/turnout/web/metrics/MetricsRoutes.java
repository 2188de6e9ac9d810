package dev.turnout.web.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.turnout.config.PrometheusTelemetry;
import dev.turnout.metrics.LinkerdPrometheus;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.store.UserStore;
import dev.turnout.web.api.DtabApi;
import io.javalin.config.JavalinConfig;
import java.util.List;

/**
 * The admin server's metrics endpoints: {@value #PROMETHEUS} in Prometheus text format from the proxy's
 * Micrometer registry, {@value #JSON} as one flat JSON object in Linkerd 1's naming ({@code
 * rt/<router>/service/<svc>/requests}, ...), and, for each {@code io.l5d.prometheus} telemeter of the
 * config, its path (Linkerd's {@code /admin/metrics/prometheus} by default) in Linkerd 1's Prometheus
 * names and shapes ({@link LinkerdPrometheus}). {@code ?pretty} indents the JSON. All follow the API's
 * rule for reads: a direct loopback caller needs no login, anyone else (a request through a proxy
 * included) needs a user's HTTP Basic credentials. A proxy-only process, which has no users, serves the
 * same renderings openly on its own admin port ({@code dev.turnout.app.ProxyAdmin}).
 */
public final class MetricsRoutes {
  public static final String PROMETHEUS = "/metrics";
  public static final String JSON = "/admin/metrics.json";
  /** The Prometheus text format's content type. */
  public static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private MetricsRoutes() {}

  public static void register(
      JavalinConfig config, ProxyMetrics metrics, UserStore users, List<PrometheusTelemetry> telemetry) {
    config.routes.get(
        PROMETHEUS,
        DtabApi.readersOnly(
            users,
            ctx -> ctx.contentType(PROMETHEUS_TYPE).result(metrics.registry().scrape())));
    config.routes.get(
        JSON,
        DtabApi.readersOnly(
            users,
            ctx ->
                ctx.contentType("application/json")
                    .result(json(metrics, ctx.queryParam("pretty") != null))));
    for (PrometheusTelemetry t : telemetry) {
      LinkerdPrometheus linkerd = new LinkerdPrometheus(metrics, t.prefix());
      config.routes.get(
          t.path(), DtabApi.readersOnly(users, ctx -> ctx.contentType(PROMETHEUS_TYPE).result(linkerd.scrape())));
    }
  }

  /** The metrics as one flat JSON object, indented when {@code pretty}. */
  public static String json(ProxyMetrics metrics, boolean pretty) throws JsonProcessingException {
    return (pretty ? PRETTY : MAPPER).writeValueAsString(metrics.flat());
  }
}
