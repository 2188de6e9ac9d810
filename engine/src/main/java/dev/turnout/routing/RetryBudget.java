package dev.turnout.routing;

import dev.turnout.metrics.RollingCounter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Finagle's retry budget: over the last {@code ttl}, retries may number {@code percentCanRetry} of the
 * requests plus {@code minRetriesPerSec} for each second of the ttl. So a healthy service retries an
 * occasional failure at once, while a failing one cannot have its load multiplied by retries.
 */
public final class RetryBudget {
  private static final int REQUESTS = 0;
  private static final int RETRIES = 1;

  private final double percentCanRetry;
  private final long reserve;
  private final int ttlSeconds;
  private final RollingCounter counts;

  public RetryBudget(double percentCanRetry, int minRetriesPerSec, Duration ttl, LongSupplier nanos) {
    if (percentCanRetry < 0 || percentCanRetry > 1000) {
      throw new IllegalArgumentException("percentCanRetry must be in [0, 1000], not " + percentCanRetry);
    }
    this.percentCanRetry = percentCanRetry;
    this.ttlSeconds = (int) Math.max(1, Math.min(60, ttl.toSeconds()));
    this.reserve = (long) Math.max(0, minRetriesPerSec) * ttlSeconds;
    this.counts = new RollingCounter(ttlSeconds, 2, nanos);
  }

  /** A request arrived: it adds to what may be retried. */
  public void deposit() {
    counts.add(REQUESTS, 1);
  }

  /** Takes one retry from the budget; false (and nothing taken) when it is spent. */
  public boolean tryWithdraw() {
    long allowed =
        reserve + (long) Math.floor(percentCanRetry * counts.sum(REQUESTS, ttlSeconds - 1));
    if (counts.sum(RETRIES, ttlSeconds - 1) >= allowed) {
      return false;
    }
    counts.add(RETRIES, 1);
    return true;
  }
}
