package dev.turnout.web.rollout;

import dev.turnout.metrics.LatencyHistograms;
import dev.turnout.metrics.TrafficView;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Where the driver reads a destination's live figures: the requests a namespace's routers sent to
 * {@code destination} for services under {@code service} in the last 10 seconds, fleet-wide. Empty
 * when no router has sent any there. The driver samples every 10 s, so its samples follow one another
 * and a step's window is the sum of its samples: counts add, latency histograms merge.
 */
@FunctionalInterface
public interface Figures {
  Optional<Sample> of(String namespace, String service, String destination);

  /**
   * Several destinations' figures as one: the bound ids a canary or a stable resolves to ({@link
   * Destinations}). Counts add and histograms merge; empty when none has figures. An id beneath
   * another of the list is left out, its requests being counted under the other already.
   */
  default Optional<Sample> ofAll(String namespace, String service, Collection<String> destinations) {
    Optional<Sample> sum = Optional.empty();
    for (String d : destinations) {
      boolean covered = destinations.stream().anyMatch(other -> !other.equals(d) && under(d, other));
      if (covered) {
        continue;
      }
      Optional<Sample> s = of(namespace, service, d);
      if (s.isPresent()) {
        sum = Optional.of(sum.isEmpty() ? s.get() : sum.get().plus(s.get()));
      }
    }
    return sum;
  }

  /**
   * One destination's last 10 seconds, fleet-wide.
   *
   * @param latency the latencies of those requests, every member's histogram merged (microseconds);
   *     its percentiles are those of all the requests. Not to be changed by the reader.
   * @param p99BoundMillis the highest p99 of members that sent no histogram (a Turnout from before
   *     they were sent), an upper bound of theirs; -1 when every member sent one
   * @param endpoints the destination's endpoints that reported figures
   * @param liveEndpoints of those, the ones failure accrual has in rotation on at least one member
   */
  record Sample(long requests, long failures, Histogram latency, double p99BoundMillis, int endpoints,
      int liveEndpoints) {
    public Sample {
      if (requests < 0 || failures < 0 || failures > requests || liveEndpoints > endpoints || latency == null) {
        throw new IllegalArgumentException("a sample needs 0 <= failures <= requests, live <= endpoints, latencies");
      }
    }

    /**
     * This sample and another destination's of the same 10 seconds, as one: counts and endpoints add
     * (the two are different clients), histograms merge into a new one.
     */
    public Sample plus(Sample other) {
      Histogram merged = LatencyHistograms.empty();
      merged.add(latency);
      merged.add(other.latency);
      return new Sample(requests + other.requests, failures + other.failures, merged,
          Math.max(p99BoundMillis, other.p99BoundMillis), endpoints + other.endpoints,
          liveEndpoints + other.liveEndpoints);
    }

    /** Every endpoint reported is out of rotation (ejected by failure accrual) on every member. */
    public boolean noLiveEndpoint() {
      return endpoints > 0 && liveEndpoints == 0;
    }

    /** The p99 of the sample's requests in milliseconds; NaN with none timed. */
    public double p99Millis() {
      double merged = LatencyHistograms.millisAt(latency, 99);
      if (p99BoundMillis < 0) {
        return merged;
      }
      return Double.isNaN(merged) ? p99BoundMillis : Math.max(merged, p99BoundMillis);
    }

    /** Success share of the sample's requests; NaN with none. */
    public double successRate() {
      return requests == 0 ? Double.NaN : 1.0 - (double) failures / requests;
    }
  }

  /**
   * The fleet's figures, from each member's own traffic as reported (this process's among them):
   * {@code reports} gives one list of routers per live member, unmerged, so that the latency
   * histograms are there to merge (the fleet's merged view keeps only their percentiles).
   */
  static Figures of(Supplier<List<List<TrafficView.RouterTraffic>>> reports) {
    return (namespace, service, destination) -> {
      long requests = 0;
      long failures = 0;
      double bound = -1;
      boolean any = false;
      Histogram merged = LatencyHistograms.empty();
      Map<String, Boolean> live = new HashMap<>();
      for (List<TrafficView.RouterTraffic> member : reports.get()) {
        for (TrafficView.RouterTraffic r : member) {
          if (!namespace.equals(r.namespace())) {
            continue;
          }
          for (TrafficView.ServiceTraffic s : r.services()) {
            if (!under(s.service(), service)) {
              continue;
            }
            for (TrafficView.ClientTraffic c : s.clients()) {
              if (!under(c.client(), destination)) {
                continue;
              }
              any = true;
              TrafficView.Stats st = c.stats();
              // The rate and success rate cover the last 10 s; the counts in Stats are since the start.
              long n = Math.round(st.requestsPerSecond() * 10);
              requests += n;
              failures += Double.isNaN(st.successRate()) ? 0 : Math.round(n * (1 - st.successRate()));
              Optional<Histogram> h = LatencyHistograms.tryDecode(st.latency());
              if (h.isPresent()) {
                merged.add(h.get());
              } else if (!Double.isNaN(st.p99Millis())) {
                bound = Math.max(bound, st.p99Millis());
              }
              for (TrafficView.EndpointTraffic e : c.endpoints()) {
                live.merge(e.endpoint(), !e.ejected(), Boolean::logicalOr);
              }
            }
          }
        }
      }
      if (!any) {
        return Optional.empty();
      }
      int alive = (int) live.values().stream().filter(b -> b).count();
      return Optional.of(new Sample(requests, Math.min(failures, requests), merged, bound, live.size(), alive));
    };
  }

  /** One process's own figures, as the only member. */
  static Figures of(TrafficView view) {
    return of(() -> List.of(view.routers()));
  }

  /** {@code name} is {@code path} or a name beneath it. */
  private static boolean under(String name, String path) {
    return name != null && (name.equals(path) || name.startsWith(path.endsWith("/") ? path : path + "/"));
  }
}
