package dev.turnout.config;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long a request waits before each retry ({@code retries.backoff} of a service): {@code constant}
 * waits {@code min} every time ({@code ms}, 0 when absent, as in Linkerd); {@code jittered} is Finagle's
 * decorrelated jitter, the first wait {@code min} and each next one drawn from [min, 3 * previous),
 * never above {@code max}. No backoff configured is a constant 0: a retry goes at once.
 */
public record RetryBackoff(Kind kind, Duration min, Duration max) {
  public static final RetryBackoff NONE = new RetryBackoff(Kind.CONSTANT, Duration.ZERO, Duration.ZERO);

  /** The two kinds Linkerd 1 reads. */
  public enum Kind {
    CONSTANT,
    JITTERED
  }

  public RetryBackoff {
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("maxMs: must not be less than minMs (" + min.toMillis() + ")");
    }
  }

  public static RetryBackoff constant(Duration d) {
    return new RetryBackoff(Kind.CONSTANT, d, d);
  }

  /**
   * The wait before the next retry, in ms, given the wait before the previous one ({@code 0} before the
   * first retry).
   */
  public long nextMillis(long previousMillis, RandomGenerator random) {
    long lo = min.toMillis();
    if (kind == Kind.CONSTANT || previousMillis <= 0) {
      return lo;
    }
    long range = Math.abs(previousMillis * 3 - lo);
    long next = range == 0 ? lo : lo + random.nextLong(range);
    return Math.min(next, max.toMillis());
  }
}
