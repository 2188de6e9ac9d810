package dev.turnout.web.overview;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.metrics.TrafficView;
import dev.turnout.store.DtabStore;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.StoreEvent;
import dev.turnout.web.routing.PreviewService;
import dev.turnout.web.routing.Projection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the live traffic view and the store's recent commits into the overview's cards. A service's
 * rows are the destinations it reached and, for a router following a store namespace, every
 * destination its name binds to now (a 0% canary branch included), found by the same binding as the
 * preview.
 */
final class TrafficCards {
  /** Below this success rate a route stands out. */
  static final double LOW_SUCCESS = 0.95;

  private static final String[] COLOURS = {
    "#2563eb", "#d97706", "#059669", "#9333ea", "#dc2626", "#0891b2", "#65a30d", "#db2777"
  };
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private final TrafficView traffic;
  private final DtabStore store;
  private final PreviewService preview;
  private final Clock clock;
  /**
   * Commits per namespace, read from the store once and again only after a change ({@link #heard}),
   * rather than the whole history every second for the live feed.
   */
  private final Map<String, List<Chart.Commit>> commitsByNamespace = new ConcurrentHashMap<>();

  TrafficCards(TrafficView traffic, DtabStore store, PreviewService preview, Clock clock) {
    this.traffic = traffic;
    this.store = store;
    this.preview = preview;
    this.clock = clock;
  }

  OverviewPage.Traffic now() {
    Instant now = clock.instant();
    List<OverviewPage.RouterCard> routers = new ArrayList<>();
    for (TrafficView.RouterTraffic r : traffic.routers()) {
      List<Chart.Commit> commits = commits(r.namespace(), now);
      Optional<Dtab> inForce =
          r.namespace() == null ? Optional.empty() : store.current(r.namespace()).map(DtabVersion::dtab);
      List<OverviewPage.ServiceCard> services = new ArrayList<>();
      for (TrafficView.ServiceTraffic s : r.services()) {
        List<OverviewPage.ClientRow> clients = new ArrayList<>();
        List<Chart.Series> series = new ArrayList<>();
        List<Double> shares = recentShares(s);
        Set<String> shown = new HashSet<>();
        for (int i = 0; i < s.clients().size(); i++) {
          shown.add(s.clients().get(i).client());
        }
        for (String idle : boundButIdle(r.namespace(), inForce, s.service(), shown)) {
          clients.add(new OverviewPage.ClientRow(idle, "0%", 0, figures(IDLE), "#94a3b8"));
        }
        for (int i = 0; i < s.clients().size(); i++) {
          TrafficView.ClientTraffic c = s.clients().get(i);
          String colour = COLOURS[i % COLOURS.length];
          double share = 100 * shares.get(i);
          clients.add(new OverviewPage.ClientRow(
              c.client(), String.format(Locale.ROOT, "%.0f%%", share), share, figures(c.stats()), colour));
          List<TrafficView.Sample> samples =
              new ArrayList<>(traffic.history(r.router(), s.service(), c.client(), 10));
          samples.add(new TrafficView.Sample(
              now, c.stats().requestsPerSecond(), c.stats().successRate(), c.stats().p50Millis(), c.stats().p99Millis()));
          series.add(new Chart.Series(c.client(), colour, samples));
        }
        services.add(new OverviewPage.ServiceCard(
            s.service(), figures(s.stats()), clients, Chart.draw(now, series, commits)));
      }
      routers.add(new OverviewPage.RouterCard(
          r.router(), "h2".equals(r.protocol()), r.namespace() == null ? "" : r.namespace(), r.dtabVersion(), services));
    }
    return new OverviewPage.Traffic(routers, TIME.format(now), traffic.coverage().orElse(""));
  }

  /** Figures of a destination that has had no request yet. */
  private static final TrafficView.Stats IDLE =
      new TrafficView.Stats(0, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0);

  /** Destinations {@code service} binds to under the dtab in force that have no traffic row yet. */
  private List<String> boundButIdle(
      String namespace, Optional<Dtab> inForce, String service, Set<String> shown) {
    List<String> out = new ArrayList<>();
    if (inForce.isEmpty()) {
      return out;
    }
    Path path;
    try {
      path = Path.read(service);
    } catch (IllegalArgumentException notAPath) {
      return out;
    }
    for (String id : Projection.shares(preview.delegate(namespace, inForce.get(), path)).keySet()) {
      if (!id.equals(Projection.NO_ROUTE) && !shown.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * Each destination's share of the service's requests over the same recent window as the other
   * figures (by request rate), so a shift of traffic shows within seconds; when nothing was sent
   * recently, the shares the traffic view reports.
   */
  static List<Double> recentShares(TrafficView.ServiceTraffic s) {
    double total = 0;
    for (TrafficView.ClientTraffic c : s.clients()) {
      total += c.stats().requestsPerSecond();
    }
    List<Double> out = new ArrayList<>();
    for (TrafficView.ClientTraffic c : s.clients()) {
      out.add(total > 0 ? c.stats().requestsPerSecond() / total : c.share());
    }
    return out;
  }

  private List<Chart.Commit> commits(String namespace, Instant now) {
    List<Chart.Commit> out = new ArrayList<>();
    if (namespace == null) {
      return out;
    }
    Instant start = now.minus(Chart.WINDOW);
    for (Chart.Commit c : allCommits(namespace)) {
      if (c.at().isBefore(start)) {
        break;
      }
      out.add(c);
    }
    return out;
  }

  /** A namespace's commits, newest first, as the chart marks them. */
  private List<Chart.Commit> loadCommits(String namespace) {
    List<Chart.Commit> out = new ArrayList<>();
    for (DtabVersion v : store.versions(namespace)) {
      out.add(new Chart.Commit(v.createdAt(), v.version()));
    }
    return List.copyOf(out);
  }

  /**
   * The namespace's commits; none while the store cannot say (the chart then shows no markers, not an
   * error), and not remembered, so they are read again once it answers.
   */
  private List<Chart.Commit> allCommits(String namespace) {
    try {
      return commitsByNamespace.computeIfAbsent(namespace, this::loadCommits);
    } catch (dev.turnout.store.StoreException.Unavailable away) {
      return List.of();
    }
  }

  /** Forgets a namespace's commits after it changes, so the next card reads them again. */
  void heard(StoreEvent event) {
    commitsByNamespace.remove(event.namespace());
  }


  static OverviewPage.Figures figures(TrafficView.Stats s) {
    boolean none = Double.isNaN(s.successRate());
    return new OverviewPage.Figures(
        none ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * s.successRate()),
        String.format(Locale.ROOT, "%.1f/s", s.requestsPerSecond()),
        millis(s.p50Millis()),
        millis(s.p99Millis()),
        !none && s.successRate() < LOW_SUCCESS,
        failures(s.failuresByClass()));
  }

  /** gRPC's status codes by number, as grpc-status carries them. */
  private static final List<String> GRPC_CODES = List.of(
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
      "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED");

  /** Failures by kind, most first (then by name), each named as a reader knows it. */
  static List<OverviewPage.Failure> failures(Map<String, Long> byClass) {
    List<OverviewPage.Failure> out = new ArrayList<>();
    byClass.forEach((kind, count) -> {
      if (count > 0) {
        out.add(new OverviewPage.Failure(kind, failureName(kind), count));
      }
    });
    out.sort(java.util.Comparator.comparingLong(OverviewPage.Failure::count).reversed()
        .thenComparing(OverviewPage.Failure::name));
    return out;
  }

  /**
   * How a failure class reads: a gRPC status by its code's name ({@code grpc-14}: UNAVAILABLE), an
   * HTTP status with HTTP before it, any other class (connect, timeout, reset, ...) as it is.
   */
  static String failureName(String kind) {
    if (kind.startsWith("grpc-")) {
      String code = kind.substring("grpc-".length());
      if (code.matches("[0-9]{1,2}")) {
        int n = Integer.parseInt(code);
        if (n < GRPC_CODES.size()) {
          return GRPC_CODES.get(n);
        }
      }
      return "grpc-status " + code;
    }
    if (kind.equals("no-grpc-status")) {
      return "no grpc-status";
    }
    if (kind.matches("[1-5][0-9][0-9]")) {
      return "HTTP " + kind;
    }
    return kind;
  }

  private static String millis(double ms) {
    if (Double.isNaN(ms)) {
      return "–";
    }
    return ms < 10 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
  }
}
