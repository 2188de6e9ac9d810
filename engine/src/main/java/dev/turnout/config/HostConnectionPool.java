package dev.turnout.config;

import java.time.Duration;

/**
 * A client's {@code hostConnectionPool}, Finagle's per-endpoint connection pool: at most {@code
 * maxSize} connections to each endpoint, at most {@code maxWaiters} requests queued for one beyond
 * that (a request past it fails at once), an idle connection closed after {@code idleTime}. {@code
 * minSize} is read and kept but not kept warm: Turnout opens connections only for requests. The
 * default is Turnout's unconfigured pool, with Finagle's unbounded sizes.
 */
public record HostConnectionPool(int minSize, int maxSize, Duration idleTime, int maxWaiters) {
  public static final HostConnectionPool DEFAULT =
      new HostConnectionPool(0, Integer.MAX_VALUE, Duration.ofSeconds(60), Integer.MAX_VALUE);

  public HostConnectionPool {
    if (minSize < 0 || maxWaiters < 0) {
      throw new IllegalArgumentException("minSize and maxWaiters: must be zero or more");
    }
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize: must be at least 1");
    }
    if (minSize > maxSize) {
      throw new IllegalArgumentException("minSize: must not be more than maxSize (" + maxSize + ")");
    }
    if (idleTime.isNegative() || idleTime.isZero()) {
      throw new IllegalArgumentException("idleTimeMs: must be at least 1 ms");
    }
  }

  /** Whether the pool bounds connections or waiters, which the unbounded default does not. */
  public boolean bounded() {
    return maxSize != Integer.MAX_VALUE || maxWaiters != Integer.MAX_VALUE;
  }
}
