package dev.turnout.proxy;

import dev.turnout.metrics.Nanos;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.routing.Router;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every forwarded request of one router server shares: the upstream clients, where its figures
 * go, its request timeouts ({@link Deadlines}, none when the router sets no timeout) and the failure
 * log. Made once per router server, when the proxy starts. A service whose {@code totalTimeoutMs}
 * differs from the router's {@code requestTimeoutMs} has its deadlines kept apart, one {@link
 * Deadlines} per distinct timeout, so each queue stays sorted by deadline.
 */
final class PerRouter implements AutoCloseable {
  final Pools pools;
  final ProxyMetrics metrics;
  /** Null when the router has no request timeout. */
  final Deadlines deadlines;
  final FailureLog log;
  /**
   * The router's clock is the metrics' (both {@link Nanos#SYSTEM} but in tests): an event that needs
   * the time for both reads it once.
   */
  final boolean oneClock;
  private final ConcurrentHashMap<Duration, Deadlines> byTimeout = new ConcurrentHashMap<>();

  PerRouter(Router router, Pools pools, ProxyMetrics metrics, FailureLog log) {
    this.pools = pools;
    this.metrics = metrics;
    long timeout = router.config().requestTimeout().toNanos();
    this.deadlines = timeout > 0 ? new Deadlines(timeout, Nanos.SYSTEM) : null;
    this.log = log;
    this.oneClock = router.clock() == metrics.clock();
  }

  /** The deadlines of requests that may take {@code timeout}. */
  Deadlines deadlines(Duration timeout) {
    Deadlines d = byTimeout.get(timeout);
    return d != null ? d : byTimeout.computeIfAbsent(timeout, t -> new Deadlines(t.toNanos(), Nanos.SYSTEM));
  }

  /** Stops the timeout sweeps. */
  @Override
  public void close() {
    if (deadlines != null) {
      deadlines.close();
    }
    byTimeout.values().forEach(Deadlines::close);
  }
}
