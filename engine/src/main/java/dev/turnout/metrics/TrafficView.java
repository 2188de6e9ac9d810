package dev.turnout.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A cheap, read-only view of live traffic for the dashboard: reading it every second costs a few
 * microseconds and never blocks the proxy. All figures are over the last 10 seconds unless named
 * otherwise.
 */
public interface TrafficView {

  /** Every router with its services and their destinations, as of now. */
  List<RouterTraffic> routers();

  /**
   * What the figures cover, when they are more than this process's (a fleet's, say): which members
   * are in the sums and which are not. Empty for one process's own figures.
   */
  default java.util.Optional<String> coverage() {
    return java.util.Optional.empty();
  }

  /**
   * Per-10-second samples of one service (or one of its clients when {@code client} is not null), oldest
   * first, covering at most {@code minutes} minutes.
   */
  List<Sample> history(String router, String service, String client, int minutes);

  /**
   * One router: its label, its protocol ({@code http} or {@code h2}), the store namespace it follows
   * (null if none) and the dtab version in force.
   */
  record RouterTraffic(
      String router, String protocol, String namespace, long dtabVersion, List<ServiceTraffic> services) {
    public RouterTraffic {
      protocol = protocol == null ? "http" : protocol;
    }

    /** A router whose protocol nobody said: {@code http}. */
    public RouterTraffic(String router, String namespace, long dtabVersion, List<ServiceTraffic> services) {
      this(router, "http", namespace, dtabVersion, services);
    }
  }

  /** A service name such as {@code /svc/users}, its totals and the bound clients it reached. */
  record ServiceTraffic(String service, Stats stats, List<ClientTraffic> clients) {}

  /**
   * A bound client such as {@code /#/io.l5d.fs/users-v2}, its figures and its share (0-1) of the
   * service's requests.
   */
  record ClientTraffic(String client, Stats stats, double share, List<EndpointTraffic> endpoints) {}

  /** One endpoint {@code host:port} of a client. */
  record EndpointTraffic(String endpoint, Stats stats, boolean ejected) {}

  /**
   * Figures over a window: request rate per second, success rate (0-1, NaN with no requests), latency
   * percentiles in milliseconds, counts, requests in flight, the window's latencies as a histogram
   * ({@link LatencyHistograms}; null when not known), from which figures of several processes are
   * merged, and the failures by class since the start (Linkerd's {@code failures/<class>}: {@code
   * grpc-14}, {@code 502}, {@code connect}, ...). The counts are since the start.
   */
  record Stats(
      double requestsPerSecond,
      double successRate,
      double p50Millis,
      double p99Millis,
      long requests,
      long failures,
      long inFlight,
      String latency,
      Map<String, Long> failuresByClass) {
    public Stats {
      failuresByClass = failuresByClass == null ? Map.of() : Map.copyOf(failuresByClass);
    }

    /** Figures with their histogram and no breakdown of their failures. */
    public Stats(
        double requestsPerSecond,
        double successRate,
        double p50Millis,
        double p99Millis,
        long requests,
        long failures,
        long inFlight,
        String latency) {
      this(requestsPerSecond, successRate, p50Millis, p99Millis, requests, failures, inFlight, latency, Map.of());
    }

    /** Figures with a breakdown of their failures and no histogram. */
    public Stats(
        double requestsPerSecond,
        double successRate,
        double p50Millis,
        double p99Millis,
        long requests,
        long failures,
        long inFlight,
        Map<String, Long> failuresByClass) {
      this(requestsPerSecond, successRate, p50Millis, p99Millis, requests, failures, inFlight, null, failuresByClass);
    }

    /** Figures without their histogram or a breakdown of their failures. */
    public Stats(
        double requestsPerSecond,
        double successRate,
        double p50Millis,
        double p99Millis,
        long requests,
        long failures,
        long inFlight) {
      this(requestsPerSecond, successRate, p50Millis, p99Millis, requests, failures, inFlight, (String) null, Map.of());
    }
  }

  /** A point of history: the window's end and its figures. */
  record Sample(Instant at, double requestsPerSecond, double successRate, double p50Millis, double p99Millis) {}
}
