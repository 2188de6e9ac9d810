package dev.turnout.proxy;

import dev.turnout.metrics.Nanos;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.routing.Router;

/**
 * What every forwarded request of one router server shares: the upstream clients, where its figures
 * go, its request timeouts ({@link Deadlines}, none when the router sets no timeout) and the failure
 * log. Made once per router server, when the proxy starts.
 */
final class PerRouter implements AutoCloseable {
  final Pools pools;
  final ProxyMetrics metrics;
  /** Null when the router has no request timeout. */
  final Deadlines deadlines;
  final FailureLog log;

  PerRouter(Router router, Pools pools, ProxyMetrics metrics, FailureLog log) {
    this.pools = pools;
    this.metrics = metrics;
    long timeout = router.config().requestTimeout().toNanos();
    this.deadlines = timeout > 0 ? new Deadlines(timeout, Nanos.SYSTEM) : null;
    this.log = log;
  }

  /** Stops the timeout sweeps. */
  @Override
  public void close() {
    if (deadlines != null) {
      deadlines.close();
    }
  }
}
