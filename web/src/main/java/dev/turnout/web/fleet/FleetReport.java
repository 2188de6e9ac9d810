package dev.turnout.web.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.turnout.metrics.TrafficView;
import java.util.List;

/**
 * What one Turnout process tells the control plane it follows, every second: who it is, where its
 * admin port is, what each router routes by and whom it follows, and its live figures. Times are epoch
 * milliseconds. Sent as JSON to {@code POST /api/1/fleet/reports}; a control plane reports itself the
 * same way, straight into the store.
 *
 * @param instance a stable name for the process ({@code host:adminPort} unless configured)
 * @param role {@link #PROXY} or {@link #CONTROL_PLANE}
 */
public record FleetReport(
    String instance,
    String role,
    String admin,
    long startedAtMillis,
    long sentAtMillis,
    List<RouterReport> routers,
    List<TrafficView.RouterTraffic> traffic) {

  public static final String PROXY = "proxy";
  public static final String CONTROL_PLANE = "control-plane";

  public FleetReport {
    routers = routers == null ? List.of() : List.copyOf(routers);
    traffic = traffic == null ? List.of() : List.copyOf(traffic);
    if (instance == null || instance.isBlank()) {
      throw new IllegalArgumentException("a fleet report needs an instance");
    }
    if (instance.length() > 128) {
      throw new IllegalArgumentException("a fleet report's instance is at most 128 characters");
    }
    if (!PROXY.equals(role) && !CONTROL_PLANE.equals(role)) {
      throw new IllegalArgumentException("a fleet report's role is proxy or control-plane, not " + role);
    }
    for (RouterReport r : routers) {
      require(r != null && r.router() != null, "routers[]: each names its router");
    }
    checkTraffic(traffic);
  }

  /**
   * Every name, list and figure the fleet's views read is there: Jackson leaves a missing one null,
   * and one null deep in a report would fail every view of the fleet for as long as the report is kept.
   */
  private static void checkTraffic(List<TrafficView.RouterTraffic> traffic) {
    for (TrafficView.RouterTraffic router : traffic) {
      require(router != null && router.router() != null && router.services() != null,
          "traffic[]: each names its router and lists its services");
      for (TrafficView.ServiceTraffic service : router.services()) {
        require(service != null && service.service() != null && service.stats() != null && service.clients() != null,
            "traffic[].services[]: each names its service and has stats and clients");
        for (TrafficView.ClientTraffic client : service.clients()) {
          require(client != null && client.client() != null && client.stats() != null && client.endpoints() != null,
              "traffic[].services[].clients[]: each names its client and has stats and endpoints");
          for (TrafficView.EndpointTraffic endpoint : client.endpoints()) {
            require(endpoint != null && endpoint.endpoint() != null && endpoint.stats() != null,
                "traffic[].services[].clients[].endpoints[]: each names its endpoint and has stats");
          }
        }
      }
    }
  }

  private static void require(boolean holds, String what) {
    if (!holds) {
      throw new IllegalArgumentException("not a fleet report: " + what);
    }
  }

  /**
   * One router: the namespace it routes by (null for a dtab from its config), the version in force
   * (0 when none; -1 when the control plane's ETag is not a version number), the control plane it
   * follows ({@code store} for a control plane's own store; null while it follows none), when it last
   * heard from it, and what is wrong, if anything.
   */
  public record RouterReport(
      String router, String namespace, long version, String following, long lastHeardMillis, String problem) {}

  /** The JSON of reports: figures with no requests are NaN, which JSON has no word for, so it is allowed. */
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a fleet report did not serialise", e);
    }
  }

  /** @throws IllegalArgumentException for a body that is not a report */
  public static FleetReport parse(String json) {
    try {
      return JSON.readValue(json, FleetReport.class);
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof IllegalArgumentException refused) {
        // the report's own check (a missing instance, a router without a name): its words, not Jackson's
        throw new IllegalArgumentException(refused.getMessage(), e);
      }
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")";
      throw new IllegalArgumentException("not a fleet report: the body is not JSON of a report's shape" + where, e);
    }
  }
}
