package dev.turnout.config;

import java.util.List;

/**
 * A {@code telemetry:} entry of kind {@code io.l5d.prometheus}: the admin servers serve Turnout's
 * figures under Linkerd 1's Prometheus names at {@code path} (Linkerd's default {@value #DEFAULT_PATH}),
 * each name starting with {@code prefix} (default none). The path is the admin server's own, so it
 * must start with '/' and must not be, or fall under, a route the admin servers already answer.
 */
public record PrometheusTelemetry(String path, String prefix) {
  public static final String DEFAULT_PATH = "/admin/metrics/prometheus";

  /** Paths the admin servers answer themselves (the control plane's dashboard, API and metrics). */
  static final List<String> TAKEN = List.of("/", "/health", "/metrics", "/admin/metrics.json", "/login", "/logout");

  /** Route trees of the control plane's admin server: no telemetry path may fall under them. */
  static final List<String> TAKEN_TREES = List.of("/api/", "/static/", "/dtabs", "/fleet", "/overview", "/recent", "/namers");

  public PrometheusTelemetry {
    checkPath(path);
    checkPrefix(prefix);
  }

  /** @throws IllegalArgumentException saying why {@code path} cannot be a telemeter's */
  static void checkPath(String path) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("must start with '/', as " + DEFAULT_PATH + " does");
    }
    for (String taken : TAKEN) {
      if (path.equals(taken) || path.equals(taken + "/")) {
        throw new IllegalArgumentException(path + " is already an admin route; use another, such as " + DEFAULT_PATH);
      }
    }
    for (String tree : TAKEN_TREES) {
      if (path.startsWith(tree) || (path + "/").startsWith(tree + "/")) {
        throw new IllegalArgumentException(
            path + " is under the admin server's " + tree + " routes; use another, such as " + DEFAULT_PATH);
      }
    }
  }

  /** @throws IllegalArgumentException if names starting with {@code prefix} could not be Prometheus names */
  static void checkPrefix(String prefix) {
    if (!prefix.isEmpty() && Character.isDigit(prefix.charAt(0))) {
      throw new IllegalArgumentException("must not start with a digit: Prometheus names cannot");
    }
  }

  public static PrometheusTelemetry defaults() {
    return new PrometheusTelemetry(DEFAULT_PATH, "");
  }
}
