package dev.turnout.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Counts of a few series (say requests and successes) over a sliding window of whole seconds, from an
 * injected clock. Writers add to the current second's bucket with one atomic add; a bucket is reset
 * the first time a writer or reader sees it belong to a past second. Readers sum the buckets of the
 * last {@code n} seconds. No locks: a write racing a reset may be lost, which blurs a rate by one
 * request.
 */
public final class RollingCounter {
  private final int seconds;
  private final int series;
  private final LongSupplier nanos;
  private final AtomicLongArray counts;
  private final AtomicLongArray stamps;

  /**
   * @param seconds the longest window that can be read
   * @param series how many numbers are counted per second
   */
  public RollingCounter(int seconds, int series, LongSupplier nanos) {
    if (seconds < 1 || series < 1) {
      throw new IllegalArgumentException("seconds and series must be at least 1");
    }
    this.seconds = seconds + 1;
    this.series = series;
    this.nanos = nanos;
    this.counts = new AtomicLongArray(this.seconds * series);
    this.stamps = new AtomicLongArray(this.seconds);
    for (int i = 0; i < this.seconds; i++) {
      stamps.set(i, Long.MIN_VALUE);
    }
  }

  public void add(int seriesIndex, long delta) {
    counts.addAndGet(slot() * series + seriesIndex, delta);
  }

  /** Adds one to {@code first} and, when {@code alsoSecond}, one to {@code second}: one clock read. */
  public void increment(int first, int second, boolean alsoSecond) {
    int base = slot() * series;
    counts.incrementAndGet(base + first);
    if (alsoSecond) {
      counts.incrementAndGet(base + second);
    }
  }

  /** The current second's slot, cleared first if it last held an older second. */
  private int slot() {
    long second = Math.floorDiv(nanos.getAsLong(), 1_000_000_000L);
    int slot = (int) Math.floorMod(second, (long) seconds);
    long stamp = stamps.get(slot);
    if (stamp != second && stamps.compareAndSet(slot, stamp, second)) {
      for (int s = 0; s < series; s++) {
        counts.set(slot * series + s, 0);
      }
    }
    return slot;
  }

  /** The sum of a series over the last {@code window} whole seconds plus the current one. */
  public long sum(int seriesIndex, int window) {
    long now = Math.floorDiv(nanos.getAsLong(), 1_000_000_000L);
    long total = 0;
    int w = Math.min(window, seconds - 1);
    for (int i = 0; i < seconds; i++) {
      long stamp = stamps.get(i);
      if (stamp != Long.MIN_VALUE && stamp <= now && now - stamp <= w) {
        total += counts.get(i * series + seriesIndex);
      }
    }
    return total;
  }
}
