package dev.turnout.web.api;

import dev.turnout.store.UserStore;
import dev.turnout.web.fleet.Fleet;
import dev.turnout.web.fleet.FleetReport;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet on a control plane's admin port: {@code POST /api/1/fleet/reports}, where each process
 * sends its {@link FleetReport} every second, and {@code GET /api/1/fleet}, the fleet as every control
 * plane sharing the store sees it: each member (instance, role, admin address, the control plane it
 * reported to, when it was last seen and whether it is stale, its routers with the namespace, version
 * and control plane each follows) and, per followed namespace, how many proxies route by its current
 * version and which are behind. {@code ?figures=true} adds each member's live figures. Both are reads:
 * free from loopback, any user's login from elsewhere.
 */
public final class FleetApi {
  public static final String FLEET = "/api/1/fleet";
  public static final String REPORTS = FLEET + "/reports";

  /** Figures with no requests are NaN, written as the string "NaN" so the answer stays JSON. */
  private static final com.fasterxml.jackson.databind.ObjectMapper FIGURES =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .build();

  /** The largest report taken; a process with more to say than this is refused, not truncated. */
  public static final int MAX_REPORT_BYTES = 1024 * 1024;

  /** Routes (services of its routers) one report may carry figures for. */
  public static final int MAX_ROUTES = 1000;

  private FleetApi() {}

  public static void register(JavalinConfig config, Fleet fleet, UserStore users) {
    ApiAuth auth = new ApiAuth(users);
    config.routes.post(REPORTS, DtabHandlers.guarded(ctx -> report(ctx, auth, fleet)));
    config.routes.get(FLEET, DtabHandlers.guarded(ctx -> list(ctx, auth, fleet)));
  }

  private static void report(Context ctx, ApiAuth auth, Fleet fleet) {
    auth.requireReader(ctx);
    long declared = ctx.req().getContentLengthLong();
    if (declared > MAX_REPORT_BYTES) {
      throw tooLarge(declared + " bytes");
    }
    byte[] body = ctx.bodyAsBytes();
    if (body.length > MAX_REPORT_BYTES) {
      throw tooLarge(body.length + " bytes");
    }
    FleetReport report;
    try {
      report = FleetReport.parse(new String(body, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, e.getMessage());
    }
    int routes = report.traffic().stream().mapToInt(r -> r.services().size()).sum();
    if (routes > MAX_ROUTES) {
      throw new ApiError(413, "a fleet report carries figures of at most " + MAX_ROUTES
          + " routes (services across its routers); this one has " + routes);
    }
    try {
      fleet.accept(report);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, e.getMessage());
    }
    ctx.status(204);
  }

  private static ApiError tooLarge(String size) {
    return new ApiError(413, "a fleet report is at most " + MAX_REPORT_BYTES + " bytes; this one is " + size);
  }

  private static void list(Context ctx, ApiAuth auth, Fleet fleet) {
    auth.requireReader(ctx);
    boolean figures = "true".equals(ctx.queryParam("figures"));
    Fleet.State state = fleet.state();
    List<Map<String, Object>> members = new ArrayList<>();
    for (Fleet.Member m : state.members()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("instance", m.instance());
      o.put("role", m.role());
      o.put("admin", m.admin());
      o.put("reportedTo", m.reportedTo());
      o.put("lastSeen", m.lastSeen().toString());
      o.put("silentSeconds", m.silentSeconds());
      o.put("stale", m.stale());
      List<Map<String, Object>> routers = new ArrayList<>();
      for (FleetReport.RouterReport r : m.routers()) {
        Map<String, Object> ro = new LinkedHashMap<>();
        ro.put("router", r.router());
        ro.put("namespace", r.namespace());
        ro.put("version", r.version());
        ro.put("following", r.following());
        ro.put("lastHeard", r.lastHeardMillis() > 0 ? java.time.Instant.ofEpochMilli(r.lastHeardMillis()).toString() : null);
        ro.put("problem", r.problem());
        routers.add(ro);
      }
      o.put("routers", routers);
      if (figures) {
        o.put("traffic", FIGURES.valueToTree(m.traffic()));
      }
      members.add(o);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("asOf", state.asOf().toString());
    out.put("partial", state.partial());
    out.put("members", members);
    List<Map<String, Object>> namespaces = new ArrayList<>();
    for (Fleet.Convergence c : state.namespaces()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("namespace", c.namespace());
      o.put("exists", c.exists());
      o.put("version", c.version());
      o.put("committedAt", c.committedAt() == null ? null : c.committedAt().toString());
      o.put("onVersion", c.onVersion());
      o.put("total", c.total());
      o.put("stale", c.stale());
      o.put("behind", c.behind());
      namespaces.add(o);
    }
    out.put("namespaces", namespaces);
    ctx.contentType("application/json").result(ApiJson.write(out));
  }
}
