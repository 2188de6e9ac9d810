package dev.turnout.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Counts of a few series (say requests and successes) over a sliding window of whole seconds, from an
 * injected clock. Writers add to the current second's bucket of their own {@link Stripe} with one
 * atomic add, so two IO threads rarely contend for a bucket; a bucket is recycled by the first writer
 * that sees it hold a past second. Readers sum the buckets of the last {@code n} seconds over every
 * stripe. No locks, and no write is lost when threads sharing a stripe race a recycle: the recycler
 * takes away only what the past second left, never what the new second already added.
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

  /**
   * The current second's slot in {@code stripe}, emptied first if it last held an older second.
   *
   * <p>Emptying must not lose what another thread of the same stripe adds meanwhile: that thread may see
   * the new stamp (or lose the race to set it) and add before the counts are emptied. So the old counts
   * are read before the stamp moves on, and only they are subtracted; anything added after the stamp
   * moved stays. (A writer that read the clock a whole window ago and adds only now lands its add in the
   * new second instead: blurred, not lost.) A stamp only ever moves forward, so such a late writer
   * cannot take a bucket back to its old second. A reader in between may count the old second once
   * more, for that instant only.
   */
  private int slot(int stripe) {
    long second = Math.floorDiv(nanos.getAsLong(), 1_000_000_000L);
    int slot = (int) Math.floorMod(second, (long) seconds);
    AtomicLongArray stamp = stamps[stripe];
    long held = stamp.get(slot);
    if (held < second) {
      recycle(stripe, slot, held, second);
    }
    return slot;
  }

  private void recycle(int stripe, int slot, long held, long second) {
    AtomicLongArray mine = counts[stripe];
    int base = slot * series;
    long[] left = new long[series];
    for (int s = 0; s < series; s++) {
      left[s] = mine.get(base + s);
    }
    if (stamps[stripe].compareAndSet(slot, held, second)) {
      for (int s = 0; s < series; s++) {
        if (left[s] != 0) {
          mine.addAndGet(base + s, -left[s]);
        }
      }
    }
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
