package dev.turnout.config;

import java.time.Duration;

/**
 * When an endpoint is taken out of rotation: after {@code failures} consecutive failures ({@code
 * io.l5d.consecutiveFailures}), or when its success rate over the last {@code requests} requests falls
 * below {@code successRate} ({@code io.l5d.successRate}), or never ({@code none}). It is probed again
 * after a backoff growing from {@code backoffMin} to {@code backoffMax}.
 */
public record FailureAccrualConfig(
    String kind,
    int failures,
    double successRate,
    int requests,
    Duration backoffMin,
    Duration backoffMax) {}
