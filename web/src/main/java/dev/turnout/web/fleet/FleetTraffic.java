package dev.turnout.web.fleet;

import dev.turnout.metrics.LatencyHistograms;
import dev.turnout.metrics.TrafficView;
import org.HdrHistogram.Histogram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The fleet's traffic as one view: this process's own figures and those of every other process that
 * reported within {@link Fleet#STALE}, summed router by router, service by service, destination by
 * destination. Request rates, counts and requests in flight add up; a success rate is the
 * request-weighted mean; latency percentiles are those of the members' latency histograms merged, so
 * the fleet's p99 is the p99 of all its traffic. (Were a member to send no histogram, a Turnout from
 * before they were sent, the highest of the members' percentiles is shown instead: an upper bound,
 * as percentiles themselves cannot be merged.) A stale member's figures are left out of the sums
 * and {@link #coverage} says so, so nothing is dropped silently. History (the charts) is this
 * process's own.
 */
public final class FleetTraffic implements TrafficView {
  /** Stale members named in the coverage note; the rest are counted. */
  private static final int NAMED = 10;

  private final TrafficView local;
  private final java.util.function.Supplier<String> self;
  private final Supplier<Fleet.State> fleet;
  private volatile String coverage = "";

  /** @param self this process's instance name, whose own report is not counted twice */
  public FleetTraffic(TrafficView local, Supplier<String> self, Supplier<Fleet.State> fleet) {
    this.local = local;
    this.self = self;
    this.fleet = fleet;
  }

  @Override
  public List<RouterTraffic> routers() {
    List<List<RouterTraffic>> parts = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    collect(parts, stale);
    int fresh = parts.size() - 1;
    String left = stale.size() <= NAMED
        ? String.join(", ", stale)
        : String.join(", ", stale.subList(0, NAMED)) + " and " + (stale.size() - NAMED) + " more";
    coverage = fresh == 0 && stale.isEmpty()
        ? ""
        : "Figures of this control plane and " + fresh + " other fleet member" + (fresh == 1 ? "" : "s")
            + (stale.isEmpty() ? "." : "; not included, as they stopped reporting: " + left + ".");
    return merge(parts);
  }

  /**
   * The traffic of each member counted (this process's first, then every other live member's), each
   * as it reported it, unmerged: their latency histograms are still there to merge, as a rollout's
   * window does.
   */
  public List<List<RouterTraffic>> members() {
    List<List<RouterTraffic>> parts = new ArrayList<>();
    collect(parts, new ArrayList<>());
    return parts;
  }

  private void collect(List<List<RouterTraffic>> parts, List<String> stale) {
    parts.add(local.routers());
    for (Fleet.Member m : fleet.get().members()) {
      if (m.instance().equals(self.get())) {
        continue;
      }
      if (m.stale()) {
        stale.add(String.format(Locale.ROOT, "%s (silent %.0f s)", m.instance(), m.silentSeconds()));
      } else {
        parts.add(m.traffic());
      }
    }
  }

  @Override
  public Optional<String> coverage() {
    return coverage.isEmpty() ? Optional.empty() : Optional.of(coverage);
  }

  @Override
  public List<Sample> history(String router, String service, String client, int minutes) {
    return local.history(router, service, client, minutes);
  }

  static List<RouterTraffic> merge(List<List<RouterTraffic>> parts) {
    // One router of the fleet is a label following one namespace: members' routers of one label that
    // follow different namespaces (or none) carry different traffic and stay apart.
    Map<String, List<RouterTraffic>> byRouter = new LinkedHashMap<>();
    for (List<RouterTraffic> part : parts) {
      for (RouterTraffic r : part) {
        byRouter.computeIfAbsent(r.router() + "\u0000" + r.namespace(), k -> new ArrayList<>()).add(r);
      }
    }
    List<RouterTraffic> out = new ArrayList<>();
    for (List<RouterTraffic> same : byRouter.values()) {
      RouterTraffic first = same.get(0);
      Map<String, List<ServiceTraffic>> byService = new LinkedHashMap<>();
      long version = first.dtabVersion();
      for (RouterTraffic r : same) {
        version = Math.max(version, r.dtabVersion());
        for (ServiceTraffic s : r.services()) {
          byService.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s);
        }
      }
      List<ServiceTraffic> services = new ArrayList<>();
      for (List<ServiceTraffic> ss : byService.values()) {
        services.add(mergeService(ss));
      }
      out.add(new RouterTraffic(first.router(), first.protocol(), first.namespace(), version, services));
    }
    return out;
  }

  private static ServiceTraffic mergeService(List<ServiceTraffic> same) {
    Map<String, List<ClientTraffic>> byClient = new LinkedHashMap<>();
    List<Stats> totals = new ArrayList<>();
    for (ServiceTraffic s : same) {
      totals.add(s.stats());
      for (ClientTraffic c : s.clients()) {
        byClient.computeIfAbsent(c.client(), k -> new ArrayList<>()).add(c);
      }
    }
    Stats total = sum(totals);
    List<ClientTraffic> clients = new ArrayList<>();
    for (List<ClientTraffic> cs : byClient.values()) {
      List<Stats> stats = new ArrayList<>();
      Map<String, List<EndpointTraffic>> byEndpoint = new LinkedHashMap<>();
      for (ClientTraffic c : cs) {
        stats.add(c.stats());
        for (EndpointTraffic e : c.endpoints()) {
          byEndpoint.computeIfAbsent(e.endpoint(), k -> new ArrayList<>()).add(e);
        }
      }
      List<EndpointTraffic> endpoints = new ArrayList<>();
      for (List<EndpointTraffic> es : byEndpoint.values()) {
        List<Stats> est = new ArrayList<>();
        boolean ejected = false;
        for (EndpointTraffic e : es) {
          est.add(e.stats());
          ejected |= e.ejected();
        }
        endpoints.add(new EndpointTraffic(es.get(0).endpoint(), sum(est), ejected));
      }
      Stats s = sum(stats);
      double share = total.requests() > 0 ? (double) s.requests() / total.requests() : cs.get(0).share();
      clients.add(new ClientTraffic(cs.get(0).client(), s, share, endpoints));
    }
    return new ServiceTraffic(same.get(0).service(), total, clients);
  }

  static Stats sum(List<Stats> all) {
    double rate = 0;
    double weightedSuccess = 0;
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    long requests = 0;
    long failures = 0;
    long inFlight = 0;
    Histogram merged = LatencyHistograms.empty();
    boolean mergeable = true;
    Map<String, Long> failuresByClass = new java.util.TreeMap<>();
    for (Stats s : all) {
      s.failuresByClass().forEach((k, v) -> failuresByClass.merge(k, v, Long::sum));
      if (s.latency() != null) {
        Optional<Histogram> h = LatencyHistograms.tryDecode(s.latency());
        h.ifPresent(merged::add);
        mergeable &= h.isPresent();
      } else if (!Double.isNaN(s.p99Millis())) {
        mergeable = false; // figures with latencies but no histogram
      }
      rate += s.requestsPerSecond();
      if (!Double.isNaN(s.successRate())) {
        weightedSuccess += s.successRate() * s.requestsPerSecond();
      }
      p50 = maxOf(p50, s.p50Millis());
      p99 = maxOf(p99, s.p99Millis());
      requests += s.requests();
      failures += s.failures();
      inFlight += s.inFlight();
    }
    double success;
    if (rate > 0) {
      success = weightedSuccess / rate;
    } else {
      success = all.size() == 1 ? all.get(0).successRate() : Double.NaN;
    }
    if (mergeable) {
      p50 = LatencyHistograms.millisAt(merged, 50);
      p99 = LatencyHistograms.millisAt(merged, 99);
    }
    // The merge is shown, never sent on, so it is not encoded again.
    return new Stats(rate, success, p50, p99, requests, failures, inFlight, null, failuresByClass);
  }

  private static double maxOf(double a, double b) {
    if (Double.isNaN(a)) {
      return b;
    }
    return Double.isNaN(b) ? a : Math.max(a, b);
  }
}
