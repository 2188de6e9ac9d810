package dev.turnout.config;

import java.time.Duration;

/**
 * Finagle's retry budget as Linkerd 1 writes it ({@code budget:} of {@code retries}, and a client's
 * {@code requeueBudget}): over the last {@code ttl}, {@code percentCanRetry} of the requests plus
 * {@code minRetriesPerSec} for each second may be sent again ({@code percentCanRetry} up to 1000,
 * Finagle's bound). Defaults as Linkerd's: 0.2, 10, 10 s.
 */
public record RetryBudgetConfig(double percentCanRetry, int minRetriesPerSec, Duration ttl) {
  public static final RetryBudgetConfig DEFAULT = new RetryBudgetConfig(0.2, 10, Duration.ofSeconds(10));

  public RetryBudgetConfig {
    if (percentCanRetry < 0 || percentCanRetry > 1000) {
      throw new IllegalArgumentException("percentCanRetry: must be between 0 and 1000");
    }
    if (minRetriesPerSec < 0) {
      throw new IllegalArgumentException("minRetriesPerSec: must be zero or more");
    }
    if (ttl.toSeconds() < 1 || ttl.toSeconds() > 60) {
      throw new IllegalArgumentException("ttlSecs: must be 1-60");
    }
  }
}
