package dev.turnout.routing;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * An endpoint's success rate over a time window, as Finagle's {@code successRateWithinDuration} keeps
 * it for {@code io.l5d.successRateWindowed}: a moving average weighted by time (a sample {@code t} after
 * the previous one weighs {@code 1 - e^(-t/window)}, so results older than the window count little),
 * and the number of requests in the last window, in five slices. The rate is judged only once the
 * window holds {@value #MIN_REQUESTS} requests, so one early failure cannot eject an endpoint.
 *
 * <p>Lock-free, like the rest of failure accrual: two threads racing blur a count or a sample by one.
 */
final class WindowedSuccessRate {
  /** Finagle's minimum request threshold for this policy. */
  static final int MIN_REQUESTS = 5;

  private static final int SLICES = 5;
  private final long windowNanos;
  private final long sliceNanos;
  private final LongSupplier nanos;
  private final AtomicLong rateBits = new AtomicLong(Double.doubleToLongBits(1.0));
  private volatile long lastSample = Long.MIN_VALUE;
  private final AtomicLongArray counts = new AtomicLongArray(SLICES);
  private final AtomicLongArray sliceOf = new AtomicLongArray(SLICES);

  WindowedSuccessRate(long windowNanos, LongSupplier nanos) {
    this.windowNanos = Math.max(1, windowNanos);
    this.sliceNanos = Math.max(1, this.windowNanos / SLICES);
    this.nanos = nanos;
    for (int i = 0; i < SLICES; i++) {
      sliceOf.set(i, Long.MIN_VALUE);
    }
  }

  /** Adds an outcome (1 a success, 0 a failure) and returns the rate it leaves. */
  double record(double sample) {
    long now = nanos.getAsLong();
    count(now);
    long last = lastSample;
    lastSample = now;
    double w = last == Long.MIN_VALUE ? 0 : Math.exp(-(double) Math.max(0, now - last) / windowNanos);
    long bits;
    double next;
    do {
      bits = rateBits.get();
      next = sample * (1 - w) + Double.longBitsToDouble(bits) * w;
    } while (!rateBits.compareAndSet(bits, Double.doubleToLongBits(next)));
    return next;
  }

  /** Whether enough requests fell in the last window for the rate to be judged. */
  boolean judged() {
    long slice = nanos.getAsLong() / sliceNanos;
    long n = 0;
    for (int i = 0; i < SLICES; i++) {
      long s = sliceOf.get(i);
      if (s != Long.MIN_VALUE && s > slice - SLICES) {
        n += counts.get(i);
      }
    }
    return n >= MIN_REQUESTS;
  }

  /** The endpoint came back: its past no longer counts against it. */
  void reset() {
    rateBits.set(Double.doubleToLongBits(1.0));
    lastSample = Long.MIN_VALUE;
    for (int i = 0; i < SLICES; i++) {
      sliceOf.set(i, Long.MIN_VALUE);
      counts.set(i, 0);
    }
  }

  private void count(long now) {
    long slice = now / sliceNanos;
    int i = (int) Math.floorMod(slice, (long) SLICES);
    long held = sliceOf.get(i);
    if (held != slice && sliceOf.compareAndSet(i, held, slice)) {
      counts.set(i, 0);
    }
    counts.incrementAndGet(i);
  }
}
