package dev.turnout.routing;

import dev.turnout.config.FailureAccrualConfig;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Whether one endpoint is in rotation. The policy ({@code io.l5d.consecutiveFailures}: N failures in a
 * row; {@code io.l5d.successRate}: success rate over the last N requests below a threshold; {@code
 * io.l5d.successRateWindowed}: success rate over a time window below a threshold ({@link
 * WindowedSuccessRate}); {@code none})
 * decides when to eject; a refused connection ejects at once. An ejected endpoint stays out for a
 * backoff that starts at {@code backoffMin} and doubles (with jitter) up to {@code backoffMax}; after it,
 * the endpoint is <em>probing</em>: it is usable again, one success brings it back fully and resets the
 * backoff, one failure ejects it again for the next, longer backoff.
 *
 * <p>Lock-free: counters are atomics, and races between two requests only blur a count by one.
 */
public final class FailureAccrual {

  /** How the endpoint stands now. */
  public enum State {
    ALIVE,
    EJECTED,
    PROBING
  }

  private final Policy policy;
  private final LongSupplier nanos;
  private final long backoffMinNanos;
  private final long backoffMaxNanos;

  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  /** Exponentially weighted success rate over about {@code requests} requests, as Finagle does. */
  private final AtomicLong successRateBits = new AtomicLong(Double.doubleToLongBits(1.0));
  private final AtomicInteger seen = new AtomicInteger();
  private volatile long ejectedUntil = Long.MIN_VALUE;
  private volatile boolean ejectedOnce;
  private final AtomicInteger backoffStep = new AtomicInteger();
  /** Only for {@code io.l5d.successRateWindowed}; null otherwise. */
  private final WindowedSuccessRate windowed;

  private record Policy(String kind, int failures, double successRate, int requests) {}

  FailureAccrual(FailureAccrualConfig config, LongSupplier nanos) {
    this.policy =
        new Policy(config.kind(), Math.max(1, config.failures()), config.successRate(), Math.max(1, config.requests()));
    this.nanos = nanos;
    this.backoffMinNanos = Math.max(1, config.backoffMin().toNanos());
    this.backoffMaxNanos = Math.max(backoffMinNanos, config.backoffMax().toNanos());
    this.windowed =
        config.kind().equals("io.l5d.successRateWindowed")
            ? new WindowedSuccessRate(config.window().toNanos(), nanos)
            : null;
  }

  public State state() {
    if (!ejectedOnce) {
      return State.ALIVE;
    }
    long until = ejectedUntil;
    if (until == Long.MIN_VALUE) {
      return State.ALIVE;
    }
    return nanos.getAsLong() < until ? State.EJECTED : State.PROBING;
  }

  /** Usable for traffic: alive or probing. */
  public boolean usable() {
    return state() != State.EJECTED;
  }

  /** When an ejected endpoint becomes probing, in the clock's nanos; {@code Long.MIN_VALUE} if not ejected. */
  long ejectedUntil() {
    return ejectedUntil;
  }

  /** Records an attempt's outcome; returns true when this changed whether the endpoint is usable. */
  boolean record(boolean success) {
    State before = state();
    if (success) {
      // Both IO threads record every response here: a write only when something changes, so a healthy
      // endpoint's state stays a shared read instead of a cache line the two cores pull back and forth.
      if (consecutiveFailures.get() != 0) {
        consecutiveFailures.set(0);
      }
      updateRate(1.0);
      if (windowed != null) {
        windowed.record(1.0);
      }
      if (before == State.PROBING) {
        ejectedUntil = Long.MIN_VALUE;
        backoffStep.set(0);
        if (windowed != null) {
          windowed.reset();
        }
      }
      return false;
    }
    int inARow = consecutiveFailures.incrementAndGet();
    double rate = updateRate(0.0);
    double windowRate = windowed == null ? 1.0 : windowed.record(0.0);
    if (before == State.PROBING) {
      eject();
      return true;
    }
    if (before == State.EJECTED) {
      return false;
    }
    boolean trip;
    switch (policy.kind()) {
      case "io.l5d.consecutiveFailures":
        trip = inARow >= policy.failures();
        break;
      case "io.l5d.successRate":
        trip = seen.get() >= policy.requests() && rate < policy.successRate();
        break;
      case "io.l5d.successRateWindowed":
        trip = windowed.judged() && windowRate < policy.successRate();
        break;
      default:
        trip = false;
    }
    if (trip) {
      eject();
    }
    return trip;
  }

  /** A refused connection: out of rotation at once, whatever the policy. Returns true if it was usable. */
  boolean connectFailed() {
    boolean wasUsable = usable();
    consecutiveFailures.incrementAndGet();
    if (wasUsable) {
      eject();
    }
    return wasUsable;
  }

  private void eject() {
    int step = Math.min(backoffStep.getAndIncrement(), 30);
    long backoff = Math.min(backoffMaxNanos, backoffMinNanos << Math.min(step, 20));
    if (backoff < 0) {
      backoff = backoffMaxNanos;
    }
    // Jitter up to 10% keeps endpoints ejected together from being probed in lockstep.
    long jitter = step == 0 ? 0 : ThreadLocalRandom.current().nextLong(Math.max(1, backoff / 10));
    ejectedOnce = true;
    ejectedUntil = nanos.getAsLong() + Math.min(backoffMaxNanos, backoff + jitter);
    consecutiveFailures.set(0);
  }

  private double updateRate(double sample) {
    int n = seen.get() < policy.requests() ? seen.incrementAndGet() : policy.requests();
    double alpha = 1.0 / Math.min(n, policy.requests());
    long bits;
    double next;
    do {
      bits = successRateBits.get();
      double prev = Double.longBitsToDouble(bits);
      next = prev + alpha * (sample - prev);
      if (next == prev) {
        return prev; // a success at a rate of 1.0: nothing to write
      }
    } while (!successRateBits.compareAndSet(bits, Double.doubleToLongBits(next)));
    return next;
  }
}
