package dev.turnout.web.fleet;

import dev.turnout.metrics.TrafficView;
import dev.turnout.store.DtabStore;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.FleetTable;
import dev.turnout.store.Namespaces;
import dev.turnout.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet as a control plane knows it: every process's last report, kept in the store's database so
 * that every control plane sharing it shows the same fleet, and how far each namespace's followers
 * have come after its last commit. A process that has not reported for {@link #STALE} is shown as
 * stale, never dropped; it is forgotten only after {@link #RETAIN} of silence. While the database is
 * away, the reports this control plane received itself are shown.
 */
public final class Fleet {
  private static final Logger log = LoggerFactory.getLogger(Fleet.class);

  /** Reports come every second; this many missed make a process stale. */
  public static final Duration STALE = Duration.ofSeconds(5);

  public static final Duration RETAIN = Duration.ofMinutes(10);

  /**
   * Members kept at most; a report from a new instance beyond them is refused. A fleet of a thousand
   * proxies and its control planes fits with room to spare.
   */
  public static final int MAX_MEMBERS = 2000;

  /** Routers one report may name. */
  public static final int MAX_ROUTERS = 64;

  private final FleetTable table;
  private final DtabStore store;
  private final Clock clock;
  private final java.util.function.Supplier<String> self;
  private final Map<String, FleetTable.Row> received = new ConcurrentHashMap<>();
  /**
   * Each member's last report as parsed, with when it was reported: a report is parsed once, when it
   * arrives here or is first read from the table, not on every view of the fleet.
   */
  private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

  private record Parsed(long reportedAtMillis, FleetReport report) {}
  private volatile Instant lastSweep = Instant.EPOCH;
  private final Map<String, FleetTable.Row> unwritten = new ConcurrentHashMap<>();
  private final java.util.concurrent.Executor writer =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "turnout-fleet-writer");
            t.setDaemon(true);
            return t;
          });

  /** @param self this control plane's admin address, recorded as where each report was received */
  public Fleet(FleetTable table, DtabStore store, Clock clock, java.util.function.Supplier<String> self) {
    this.table = table;
    this.store = store;
    this.clock = clock;
    this.self = self;
  }

  /**
   * Records {@code report}, replacing the process's previous one.
   *
   * @throws IllegalArgumentException for a report naming too many routers, or a new instance past
   *     {@link #MAX_MEMBERS}
   */
  public void accept(FleetReport report) {
    if (report.routers().size() > MAX_ROUTERS) {
      throw new IllegalArgumentException("a fleet report names at most " + MAX_ROUTERS + " routers");
    }
    if (!received.containsKey(report.instance()) && received.size() >= MAX_MEMBERS) {
      throw new IllegalArgumentException("the fleet already has " + MAX_MEMBERS + " members");
    }
    FleetTable.Row row =
        new FleetTable.Row(report.instance(), report.role(), report.admin(), self.get(), report.toJson(), clock.instant());
    received.put(row.instance(), row);
    parsed.put(row.instance(), new Parsed(row.reportedAt().toEpochMilli(), report));
    unwritten.put(row.instance(), row);
    writer.execute(this::writeUnwritten);
    sweep();
  }

  /**
   * Writes the reports received since the last write, each member's latest only, on the fleet's one
   * writer thread: a report is answered without waiting for the database, so a thousand members
   * reporting every second hold no request threads, and a slow database sees each member's latest
   * report rather than a queue of them. The views read {@link #received} as well as the table, so a
   * report not yet written is still shown.
   */
  private void writeUnwritten() {
    for (String instance : List.copyOf(unwritten.keySet())) {
      FleetTable.Row row = unwritten.remove(instance);
      if (row == null) {
        continue;
      }
      try {
        table.put(row);
      } catch (StoreException e) {
        log.debug("a fleet report was not written to the store", e);
      }
    }
  }

  private void sweep() {
    Instant now = clock.instant();
    if (Duration.between(lastSweep, now).compareTo(Duration.ofMinutes(1)) < 0) {
      return;
    }
    lastSweep = now;
    Instant cutoff = now.minus(RETAIN);
    received.values().removeIf(r -> r.reportedAt().isBefore(cutoff));
    parsed.values().removeIf(p -> p.reportedAtMillis() < cutoff.toEpochMilli());
    int forgotten = table.forgetSilentSince(cutoff);
    if (forgotten > 0) {
      log.info("forgot {} fleet member(s) silent for more than {} minutes", forgotten, RETAIN.toMinutes());
    }
  }

  // ---- what the API and the dashboard show ----

  /** The fleet now: its members and, per followed namespace, its convergence on the current version. */
  /**
   * {@code partial}: the store's database is not answering, so only the members that report to this
   * control plane itself are known.
   */
  public record State(Instant asOf, List<Member> members, List<Convergence> namespaces, boolean partial) {}

  /** One process, as of its last report. */
  public record Member(
      String instance,
      String role,
      String admin,
      String reportedTo,
      Instant lastSeen,
      double silentSeconds,
      boolean stale,
      List<FleetReport.RouterReport> routers,
      List<TrafficView.RouterTraffic> traffic) {}

  /**
   * How many of the proxies routing by {@code namespace} route by its current {@code version}, and
   * which do not: each with the version it is on and for how long it has been behind (since the
   * first version it lacks was committed).
   */
  public record Convergence(
      String namespace, boolean exists, long version, Instant committedAt, int onVersion, int total, int stale,
      List<Behind> behind) {}

  public record Behind(String instance, String router, long version, double behindSeconds, boolean stale) {}

  public State state() {
    Instant now = clock.instant();
    List<FleetTable.Row> rows;
    boolean partial = false;
    try {
      rows = newest(table.all());
    } catch (StoreException.Unavailable away) {
      partial = true;
      rows = new ArrayList<>(received.values());
      rows.sort(Comparator.comparing(FleetTable.Row::instance));
    }
    List<Member> members = new ArrayList<>();
    for (FleetTable.Row row : rows) {
      FleetReport r = parsedReport(row);
      if (r == null) {
        continue; // a row written by a newer Turnout that this one cannot read
      }
      double silent = Math.max(0, Duration.between(row.reportedAt(), now).toMillis() / 1000.0);
      members.add(new Member(row.instance(), row.role(), row.admin(), row.reportedTo(), row.reportedAt(), silent,
          silent > STALE.toSeconds(), r.routers(), r.traffic()));
    }
    return new State(now, members, convergence(members, now), partial);
  }

  /** The table's rows, each replaced by the one this control plane received if that is newer. */
  private List<FleetTable.Row> newest(List<FleetTable.Row> stored) {
    Map<String, FleetTable.Row> out = new TreeMap<>();
    for (FleetTable.Row row : stored) {
      out.put(row.instance(), row);
    }
    for (FleetTable.Row row : received.values()) {
      out.merge(row.instance(), row, (a, b) -> b.reportedAt().isAfter(a.reportedAt()) ? b : a);
    }
    return new ArrayList<>(out.values());
  }

  /** The row's report, parsed at most once per report; null if it cannot be read. */
  private FleetReport parsedReport(FleetTable.Row row) {
    long at = row.reportedAt().toEpochMilli();
    Parsed p = parsed.get(row.instance());
    if (p != null && p.reportedAtMillis() == at) {
      return p.report();
    }
    try {
      FleetReport r = FleetReport.parse(row.report());
      parsed.put(row.instance(), new Parsed(at, r));
      return r;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private List<Convergence> convergence(List<Member> members, Instant now) {
    Map<String, List<Member>> byNamespace = new TreeMap<>();
    for (Member m : members) {
      if (!FleetReport.PROXY.equals(m.role())) {
        continue; // a control plane's own routers read the store in-process
      }
      for (FleetReport.RouterReport r : m.routers()) {
        if (r.namespace() != null) {
          List<Member> list = byNamespace.computeIfAbsent(r.namespace(), k -> new ArrayList<>());
          if (!list.contains(m)) {
            list.add(m);
          }
        }
      }
    }
    List<Convergence> out = new ArrayList<>();
    for (Map.Entry<String, List<Member>> e : byNamespace.entrySet()) {
      String ns = e.getKey();
      // A report names its namespaces as its sender has them: one the store could not hold (a proxy's
      // misconfigured name) is shown as absent rather than asked for, which would throw.
      Optional<DtabVersion> current = Namespaces.isValid(ns) ? store.current(ns) : Optional.empty();
      long version = current.map(DtabVersion::version).orElse(0L);
      Instant committedAt = current.map(DtabVersion::createdAt).orElse(null);
      int on = 0;
      int stale = 0;
      List<Behind> behind = new ArrayList<>();
      for (Member m : e.getValue()) {
        if (m.stale()) {
          stale++;
        }
        Map<String, Long> lagging = new LinkedHashMap<>();
        for (FleetReport.RouterReport r : m.routers()) {
          if (ns.equals(r.namespace()) && r.version() != version) {
            lagging.put(r.router(), r.version());
          }
        }
        if (lagging.isEmpty() && !m.stale()) {
          on++; // a stale member's version is what it last said, not known now
        }
        for (Map.Entry<String, Long> l : lagging.entrySet()) {
          Instant since = firstMissed(ns, l.getValue()).orElse(committedAt == null ? now : committedAt);
          behind.add(new Behind(m.instance(), l.getKey(), l.getValue(),
              Math.max(0, Duration.between(since, now).toMillis() / 1000.0), m.stale()));
        }
      }
      out.add(new Convergence(ns, current.isPresent(), version, committedAt, on, e.getValue().size(), stale, behind));
    }
    return out;
  }

  /** When the first version after {@code version} was committed: since then a router on it is behind. */
  private Optional<Instant> firstMissed(String namespace, long version) {
    if (version < 0) {
      return Optional.empty();
    }
    try {
      return store.version(namespace, version + 1).map(DtabVersion::createdAt);
    } catch (StoreException e) {
      return Optional.empty();
    }
  }
}
