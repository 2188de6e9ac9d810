package dev.turnout.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.store.UserStore;
import dev.turnout.web.rollout.Rollout;
import dev.turnout.web.rollout.RolloutDriver;
import dev.turnout.web.rollout.RolloutSpec;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Progressive rollouts on the admin port (issue 28). Reads follow the API's rule for reads (loopback
 * without login, else any user); every write needs an operator, whose name goes into the rollout's
 * reason when they pause, resume, promote or abort.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>POST {@code /api/1/rollouts/{ns}}</td><td>starts one: 201 with the rollout; 400 for a bad
 *       spec (no dentry with the prefix, canary equal to the stable, steps not rising percents ending at
 *       100, a threshold out of range), 409 when one is active on the prefix, 404 for an unknown
 *       namespace</td></tr>
 *   <tr><td>GET {@code /api/1/rollouts/{ns}}</td><td>the namespace's rollouts, newest first</td></tr>
 *   <tr><td>GET {@code /api/1/rollouts/{ns}/{id}}</td><td>one rollout</td></tr>
 *   <tr><td>POST {@code /api/1/rollouts/{ns}/{id}/pause|resume|promote|abort}</td><td>200 with the
 *       rollout; 409 when its state does not allow it; 404 for an unknown id</td></tr>
 * </table>
 */
public final class RolloutApi {
  public static final String ROLLOUTS = "/api/1/rollouts/{ns}";
  public static final String ROLLOUT = ROLLOUTS + "/{id}";

  /** The fields a start request may carry; any other is refused, so a misspelt threshold is not lost. */
  private static final Set<String> FIELDS = Set.of("service", "canary", "steps", "stepSeconds", "minSuccessRate",
      "maxP99Ms", "maxP99Ratio", "minRequests", "gateBefore");

  private static final int MAX_BODY = 64 * 1024;

  private RolloutApi() {}

  public static void register(JavalinConfig config, RolloutDriver driver, UserStore users) {
    ApiAuth auth = new ApiAuth(users);
    config.routes.post(ROLLOUTS, guarded(ctx -> start(ctx, auth, driver)));
    config.routes.get(ROLLOUTS, guarded(ctx -> {
      auth.requireReader(ctx);
      List<Map<String, Object>> out = new ArrayList<>();
      List<Rollout> rollouts = driver.list(ctx.pathParam("ns"));
      java.util.Optional<String> drives = rollouts.isEmpty() ? java.util.Optional.empty() : driver.driver();
      for (Rollout r : rollouts) {
        out.add(json(r, drives));
      }
      ctx.contentType("application/json").result(ApiJson.write(out));
    }));
    config.routes.get(ROLLOUT, guarded(ctx -> {
      auth.requireReader(ctx);
      ctx.contentType("application/json").result(
          ApiJson.write(json(driver.get(ctx.pathParam("ns"), id(ctx)), driver.driver())));
    }));
    config.routes.post(ROLLOUT + "/pause", guarded(ctx -> act(ctx, auth, driver, driver::pause)));
    config.routes.post(ROLLOUT + "/resume", guarded(ctx -> act(ctx, auth, driver, driver::resume)));
    config.routes.post(ROLLOUT + "/promote", guarded(ctx -> act(ctx, auth, driver, driver::promote)));
    config.routes.post(ROLLOUT + "/abort", guarded(ctx -> act(ctx, auth, driver, driver::abort)));
  }

  @FunctionalInterface
  private interface Action {
    Rollout apply(String namespace, long id, String who);
  }

  private static void act(Context ctx, ApiAuth auth, RolloutDriver driver, Action action) {
    String who = auth.requireOperator(ctx).name();
    Rollout r = action.apply(ctx.pathParam("ns"), id(ctx), who);
    ctx.contentType("application/json").result(ApiJson.write(json(r, driver.driver())));
  }

  private static void start(Context ctx, ApiAuth auth, RolloutDriver driver) {
    auth.requireOperator(ctx);
    String ns = ctx.pathParam("ns");
    driver.list(ns); // 404 for an unknown namespace before the body is judged
    RolloutSpec spec = spec(ctx.bodyAsBytes());
    Rollout r = driver.start(ns, spec);
    ctx.status(201).contentType("application/json").result(ApiJson.write(json(r, driver.driver())));
  }

  /** The spec a body asks for. @throws ApiError 400 for anything but a complete, valid one */
  static RolloutSpec spec(byte[] body) {
    if (body.length > MAX_BODY) {
      throw new ApiError(413, "a rollout request is at most " + MAX_BODY + " bytes");
    }
    JsonNode n;
    try {
      n = ApiJson.MAPPER.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ApiError(400, "the body is not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new ApiError(400, "the body could not be read: " + e.getMessage());
    }
    if (n == null || !n.isObject()) {
      throw new ApiError(400, "the body must be a JSON object such as {\"service\": \"/svc/users\", \"canary\":"
          + " \"/#/io.l5d.fs/users-v2\", \"steps\": [5, 20, 50, 100], \"stepSeconds\": 60, \"minSuccessRate\": 0.99,"
          + " \"maxP99Ms\": 500, \"minRequests\": 100}");
    }
    for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new ApiError(400, "unknown field '" + name + "'; a rollout takes " + new java.util.TreeSet<>(FIELDS));
      }
    }
    JsonNode steps = n.get("steps");
    if (steps == null || !steps.isArray()) {
      throw new ApiError(400, "steps must be an array of rising percents ending at 100, such as [5, 20, 50, 100]");
    }
    List<Integer> percents = new ArrayList<>();
    for (JsonNode s : steps) {
      if (!s.isInt()) {
        throw new ApiError(400, "steps must be whole percents, not " + s);
      }
      percents.add(s.intValue());
    }
    try {
      return new RolloutSpec(text(n, "service"), text(n, "canary"), percents, (int) whole(n, "stepSeconds", true, 0),
          number(n, "minSuccessRate", true, 0), number(n, "maxP99Ms", true, 0), number(n, "maxP99Ratio", false, 0),
          whole(n, "minRequests", true, 0), (int) whole(n, "gateBefore", false, 0));
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, e.getMessage());
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new ApiError(400, field + " is required, as a string");
    }
    return v.textValue();
  }

  private static double number(JsonNode n, String field, boolean required, double otherwise) {
    JsonNode v = n.get(field);
    if (v == null && !required) {
      return otherwise;
    }
    if (v == null || !v.isNumber()) {
      throw new ApiError(400, field + " is required, as a number");
    }
    return v.doubleValue();
  }

  private static long whole(JsonNode n, String field, boolean required, long otherwise) {
    JsonNode v = n.get(field);
    if (v == null && !required) {
      return otherwise;
    }
    if (v == null || !v.canConvertToInt()) {
      throw new ApiError(400, field + " is required, as a whole number");
    }
    if (!v.isIntegralNumber()) {
      throw new ApiError(400, field + " must be a whole number, not " + v);
    }
    return v.longValue();
  }

  private static long id(Context ctx) {
    String id = ctx.pathParam("id");
    if (!id.matches("[0-9]{1,18}")) {
      throw new ApiError(404, "namespace '" + ctx.pathParam("ns") + "' has no rollout " + id);
    }
    return Long.parseLong(id);
  }

  /**
   * A rollout as the API shows it; an active one names the control plane driving it ({@code driver},
   * its fleet instance name; null while none holds the lease, as between a driver's death and its
   * successor's first tick).
   */
  static Map<String, Object> json(Rollout r, java.util.Optional<String> driver) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("namespace", r.namespace());
    m.put("service", r.spec().service());
    m.put("canary", r.spec().canary());
    m.put("stable", r.stable());
    m.put("state", r.state().word());
    m.put("step", r.step() + 1);
    m.put("weight", r.weight());
    m.put("reason", r.reason());
    m.put("versions", r.versions());
    m.put("phase", r.phase());
    m.put("steps", r.spec().steps());
    m.put("stepSeconds", r.spec().stepSeconds());
    m.put("minSuccessRate", r.spec().minSuccessRate());
    m.put("maxP99Ms", r.spec().maxP99Ms());
    m.put("maxP99Ratio", r.spec().maxP99Ratio());
    m.put("minRequests", r.spec().minRequests());
    m.put("gateBefore", r.spec().gateBefore());
    List<Map<String, Object>> history = new ArrayList<>();
    for (Rollout.StepRecord s : r.steps()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("step", s.step());
      o.put("weight", s.weight());
      o.put("version", s.version());
      o.put("stale", s.stale());
      o.put("verdict", s.verdict());
      o.put("requests", s.window().requests());
      o.put("failures", s.window().failures());
      o.put("p99Ms", s.window().p99Ms() < 0 ? null : s.window().p99Ms());
      o.put("stableP99Ms", s.window().stableP99Ms() < 0 ? null : s.window().stableP99Ms());
      history.add(o);
    }
    m.put("history", history);
    m.put("driver", r.state().active() ? driver.orElse(null) : null);
    return m;
  }

  /** The API's mapping of refusals, plus the driver's own. */
  private static io.javalin.http.Handler guarded(io.javalin.http.Handler handler) {
    return DtabHandlers.guarded(ctx -> {
      try {
        handler.handle(ctx);
      } catch (RolloutDriver.Refused e) {
        throw new ApiError(e.status(), e.getMessage());
      }
    });
  }
}
