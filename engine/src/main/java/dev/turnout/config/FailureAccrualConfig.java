package dev.turnout.config;

import java.time.Duration;
import java.util.List;

/**
 * When an endpoint is taken out of rotation: after {@code failures} consecutive failures ({@code
 * io.l5d.consecutiveFailures}); when its success rate over about the last {@code requests} requests
 * falls below {@code successRate} ({@code io.l5d.successRate}); when its success rate over the last
 * {@code window} (a moving average, judged once the window holds at least 5 requests) falls below
 * {@code successRate} ({@code io.l5d.successRateWindowed}); or never ({@code none}). It is probed again
 * after a backoff growing from {@code backoffMin} to {@code backoffMax} (equal for a constant backoff).
 */
public record FailureAccrualConfig(
    String kind,
    int failures,
    double successRate,
    int requests,
    Duration backoffMin,
    Duration backoffMax,
    Duration window) {

  static final List<String> KINDS =
      List.of("io.l5d.consecutiveFailures", "io.l5d.successRate", "io.l5d.successRateWindowed", "none");

  public FailureAccrualConfig {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("kind: must be one of " + String.join(", ", KINDS) + ", not " + kind);
    }
    if (successRate <= 0 || successRate > 1) {
      throw new IllegalArgumentException("successRate: must be in (0, 1]");
    }
    if (backoffMax.compareTo(backoffMin) < 0) {
      throw new IllegalArgumentException("backoff.maxMs: must not be less than minMs");
    }
    if (window.toSeconds() < 1) {
      throw new IllegalArgumentException("window: must be at least 1 second");
    }
  }

  /** Without a window: any kind but {@code io.l5d.successRateWindowed}. */
  public FailureAccrualConfig(
      String kind, int failures, double successRate, int requests, Duration backoffMin, Duration backoffMax) {
    this(kind, failures, successRate, requests, backoffMin, backoffMax, Duration.ofSeconds(30));
  }
}
