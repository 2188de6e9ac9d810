package dev.turnout.web.rollout;

import dev.turnout.metrics.LatencyHistograms;
import dev.turnout.store.JdbcDtabStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;

/**
 * A rollout driver over a real H2 store in the test's directory, with a clock the test moves and the
 * two inputs the fleet would give (figures per destination, convergence) set by the test.
 */
final class RolloutRig implements AutoCloseable {
  static final String NS = "default";
  static final String STABLE = "/#/io.l5d.fs/users";
  static final String CANARY = "/#/io.l5d.fs/users-v2";
  static final String DTAB = "# routes\n/svc => /#/io.l5d.fs;\n/svc/users => " + STABLE + "; # users\n";

  final Path dir;
  final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
  final Map<String, Figures.Sample> figures = new ConcurrentHashMap<>();
  final AtomicReference<Convergence.Seen> convergence =
      new AtomicReference<>(new Convergence.Seen(true, List.of(), List.of()));
  JdbcDtabStore store;
  RolloutDriver driver;
  /** How the driver resolves canary and stable to the ids {@link #figures} is keyed by. */
  private Destinations destinations = Destinations.AS_WRITTEN;

  RolloutRig(Path dir) {
    this.dir = dir;
    open();
    store.create(NS, DTAB, "alice", "first routes");
  }

  void open() {
    String self = java.util.UUID.randomUUID().toString();
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).passwordIterations(2).open();
    driver = new RolloutDriver(store, store.rollouts(), (ns, service, dst) -> Optional.ofNullable(figures.get(dst)),
        destinations, (ns, version) -> convergence.get(), clock, () -> "control-plane-" + self);
  }

  /** A new driver on the same store that resolves destinations by {@code by}. */
  void resolveBy(Destinations by) {
    destinations = by;
    restart();
  }

  /** Closes and reopens the store and a new driver, as a control plane's restart does. */
  void restart() {
    store.close();
    open();
  }

  /** Each 10-second sample of {@code dst}: this many requests, this many failed, all as slow as {@code p99}. */
  void traffic(String dst, long requests, long failures, double p99) {
    figures.put(dst, sample(requests, failures, 1, 1, new long[] {requests, Math.round(p99 * 1000)}));
  }

  /** Each sample of {@code dst}: these requests, its {@code endpoints} all ejected by failure accrual. */
  void ejected(String dst, long requests, long failures, int endpoints) {
    figures.put(dst, sample(requests, failures, endpoints, 0, new long[] {requests, 5_000}));
  }

  /** The next samples of {@code dst}: {@code latencies} as pairs of a count and microseconds. */
  void latencies(String dst, long failures, long... latencies) {
    long requests = 0;
    for (int i = 0; i < latencies.length; i += 2) {
      requests += latencies[i];
    }
    figures.put(dst, sample(requests, failures, 1, 1, latencies));
  }

  private static Figures.Sample sample(long requests, long failures, int endpoints, int live, long[] latencies) {
    Histogram h = LatencyHistograms.empty();
    for (int i = 0; i < latencies.length; i += 2) {
      if (latencies[i] > 0) {
        h.recordValueWithCount(latencies[i + 1], latencies[i]);
      }
    }
    return new Figures.Sample(requests, failures, h, -1, endpoints, live);
  }

  static RolloutSpec spec(List<Integer> steps) {
    return new RolloutSpec("/svc/users", CANARY, steps, 60, 0.99, 500, 0, 100, 0);
  }

  /** Ticks and moves the clock 10 s at a time until {@code done} holds of the rollout; the ticks taken. */
  int runUntil(long id, Predicate<Rollout> done, int maxTicks) {
    for (int i = 1; i <= maxTicks; i++) {
      driver.tick();
      if (done.test(driver.get(NS, id))) {
        return i;
      }
      clock.advance(Duration.ofSeconds(10));
    }
    throw new AssertionError("not done after " + maxTicks + " ticks: " + driver.get(NS, id));
  }

  String dtab() {
    return store.current(NS).orElseThrow().text();
  }

  List<String> authors() {
    List<String> out = new ArrayList<>();
    store.versions(NS).forEach(v -> out.add(0, v.author()));
    return out;
  }

  @Override
  public void close() {
    store.close();
  }

  static final class FakeClock extends Clock {
    private final AtomicReference<Instant> now;

    FakeClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
