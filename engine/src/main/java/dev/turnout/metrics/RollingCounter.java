package dev.turnout.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Counts of a few series (say requests and successes) over a sliding window of whole seconds, from an
 * injected clock. Writers add to the current second's bucket of their own {@link Stripe} with one
 * atomic add, so two IO threads never contend for a bucket; a bucket is reset the first time a writer or
 * reader sees it belong to a past second. Readers sum the buckets of the last {@code n} seconds over
 * every stripe. No locks: a write racing a reset may be lost, which blurs a rate by one request.
 */
public final class RollingCounter {
  private final int seconds;
  private final int series;
  private final LongSupplier nanos;
  /** Per stripe: {@code seconds * series} counts, and the second each bucket holds. */
  private final AtomicLongArray[] counts;
  private final AtomicLongArray[] stamps;

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
    this.counts = new AtomicLongArray[Stripe.COUNT];
    this.stamps = new AtomicLongArray[Stripe.COUNT];
    for (int s = 0; s < Stripe.COUNT; s++) {
      counts[s] = new AtomicLongArray(this.seconds * series);
      stamps[s] = new AtomicLongArray(this.seconds);
      for (int i = 0; i < this.seconds; i++) {
        stamps[s].set(i, Long.MIN_VALUE);
      }
    }
  }

  public void add(int seriesIndex, long delta) {
    int stripe = Stripe.index();
    counts[stripe].addAndGet(slot(stripe) * series + seriesIndex, delta);
  }

  /** Adds one to {@code first} and, when {@code alsoSecond}, one to {@code second}: one clock read. */
  public void increment(int first, int second, boolean alsoSecond) {
    int stripe = Stripe.index();
    AtomicLongArray mine = counts[stripe];
    int base = slot(stripe) * series;
    mine.incrementAndGet(base + first);
    if (alsoSecond) {
      mine.incrementAndGet(base + second);
    }
  }

  /** The current second's slot in {@code stripe}, cleared first if it last held an older second. */
  private int slot(int stripe) {
    long second = Math.floorDiv(nanos.getAsLong(), 1_000_000_000L);
    int slot = (int) Math.floorMod(second, (long) seconds);
    AtomicLongArray stamp = stamps[stripe];
    long held = stamp.get(slot);
    if (held != second && stamp.compareAndSet(slot, held, second)) {
      for (int s = 0; s < series; s++) {
        counts[stripe].set(slot * series + s, 0);
      }
    }
    return slot;
  }

  /** The sum of a series over the last {@code window} whole seconds plus the current one. */
  public long sum(int seriesIndex, int window) {
    long now = Math.floorDiv(nanos.getAsLong(), 1_000_000_000L);
    long total = 0;
    int w = Math.min(window, seconds - 1);
    for (int s = 0; s < Stripe.COUNT; s++) {
      for (int i = 0; i < seconds; i++) {
        long stamp = stamps[s].get(i);
        if (stamp != Long.MIN_VALUE && stamp <= now && now - stamp <= w) {
          total += counts[s].get(i * series + seriesIndex);
        }
      }
    }
    return total;
  }
}
