package dev.turnout.metrics;

import java.util.Map;

/** One figures node under Linkerd 1's flat names, for {@code /admin/metrics.json}. */
final class FlatStats {
  private FlatStats() {}

  static void put(Map<String, Number> out, String base, TrafficStats t) {
    out.put(base + "requests", t.requests());
    out.put(base + "success", t.successes());
    out.put(base + "failures", t.failures());
    t.failuresByClass().forEach((k, v) -> out.put(base + "failures/" + k, v));
    out.put(base + "retries", t.retries());
    out.put(base + "pending", t.inFlight());
    TrafficStats.Percentiles p = t.latency();
    out.put(base + "request_latency_ms.p50", p.p50());
    out.put(base + "request_latency_ms.p90", p.p90());
    out.put(base + "request_latency_ms.p99", p.p99());
    out.put(base + "request_latency_ms.p9990", p.p999());
    out.put(base + "success_rate.10s", nanToZero(t.successRate(10)));
    out.put(base + "success_rate.1m", nanToZero(t.successRate(60)));
    out.put(base + "request_rate.10s", t.requestRate(10));
    out.put(base + "request_rate.1m", t.requestRate(60));
    t.statuses().byCode().forEach((code, n) -> out.put(base + "status/" + code, n));
    t.statuses().byClass().forEach((cls, n) -> out.put(base + "status/" + cls, n));
  }

  private static double nanToZero(double d) {
    return Double.isNaN(d) ? 0 : d;
  }
}
