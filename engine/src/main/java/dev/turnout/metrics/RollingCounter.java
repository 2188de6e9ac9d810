package dev.turnout.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * Counts of a few series (say requests and successes) over a sliding window of whole seconds, from an
 * injected clock. Writers add to the current second's bucket of their own {@link Stripe}: with a plain
 * store on a stripe their thread owns, with one atomic add on a shared stripe, so two IO threads never
 * contend for a bucket. A bucket is recycled by the first writer that sees it hold a past second. Readers
 * sum the buckets of the last {@code n} seconds over every stripe. No locks, and no write is lost when
 * threads sharing a stripe race a recycle: the recycler takes away only what the past second left, never
 * what the new second already added. A stripe's ring of buckets is made when its first count comes, so
 * stripes no thread writes cost a reference.
 */
public final class RollingCounter {
  private final int seconds;
  private final int series;
  private final LongSupplier nanos;
  private final AtomicReferenceArray<Ring> rings = new AtomicReferenceArray<>(Stripe.COUNT);

  /** One stripe's {@code seconds * series} counts, and the second each bucket holds. */
  private static final class Ring {
    final AtomicLongArray counts;
    final AtomicLongArray stamps;

    Ring(int seconds, int series) {
      counts = new AtomicLongArray(seconds * series);
      stamps = new AtomicLongArray(seconds);
      for (int i = 0; i < seconds; i++) {
        stamps.set(i, Long.MIN_VALUE);
      }
    }
  }

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
  }

  /** Adds {@code delta} to a series, now, in the calling thread's stripe. */
  public void add(int seriesIndex, long delta) {
    int stripe = Stripe.index();
    Ring ring = ring(stripe);
    int i = slot(ring, second(nanos.getAsLong())) * series + seriesIndex;
    if (Stripe.owned(stripe)) {
      ring.counts.setOpaque(i, ring.counts.getPlain(i) + delta);
    } else {
      ring.counts.addAndGet(i, delta);
    }
  }

  /** Adds one to {@code first} and, when {@code alsoSecond}, one to {@code second}, now. */
  public void increment(int first, int second, boolean alsoSecond) {
    increment(Stripe.index(), nanos.getAsLong(), first, second, alsoSecond);
  }

  /**
   * As {@link #increment(int, int, boolean)}, at {@code nowNanos} of this counter's clock, into {@code
   * stripe}, which must be {@link Stripe#index()} of the calling thread.
   */
  public void increment(int stripe, long nowNanos, int first, int second, boolean alsoSecond) {
    assert Stripe.mine(stripe) : "stripe " + stripe + " is owned by another thread";
    Ring ring = ring(stripe);
    AtomicLongArray mine = ring.counts;
    int base = slot(ring, second(nowNanos)) * series;
    if (Stripe.owned(stripe)) {
      mine.setOpaque(base + first, mine.getPlain(base + first) + 1);
      if (alsoSecond) {
        mine.setOpaque(base + second, mine.getPlain(base + second) + 1);
      }
    } else {
      mine.incrementAndGet(base + first);
      if (alsoSecond) {
        mine.incrementAndGet(base + second);
      }
    }
  }

  private Ring ring(int stripe) {
    Ring r = rings.get(stripe);
    if (r == null) {
      rings.compareAndSet(stripe, null, new Ring(seconds, series));
      r = rings.get(stripe);
    }
    return r;
  }

  private static long second(long nanos) {
    return Math.floorDiv(nanos, 1_000_000_000L);
  }

  /**
   * The bucket of {@code second} in {@code ring}, emptied first if it last held an older second.
   *
   * <p>Emptying must not lose what another thread of the same (shared) stripe adds meanwhile: that thread
   * may see the new stamp (or lose the race to set it) and add before the counts are emptied. So the old
   * counts are read before the stamp moves on, and only they are subtracted; anything added after the
   * stamp moved stays. (A writer that read the clock a whole window ago and adds only now lands its add
   * in the new second instead: blurred, not lost.) A stamp only ever moves forward, so such a late writer
   * cannot take a bucket back to its old second. A reader in between may count the old second once more,
   * for that instant only. The owner of an owned stripe is its only writer and takes the same steps: they
   * come once a second, so their atomic operations cost nothing that matters.
   */
  private int slot(Ring ring, long second) {
    int slot = (int) Math.floorMod(second, (long) seconds);
    long held = ring.stamps.get(slot);
    if (held < second) {
      recycle(ring, slot, held, second);
    }
    return slot;
  }

  private void recycle(Ring ring, int slot, long held, long second) {
    AtomicLongArray mine = ring.counts;
    int base = slot * series;
    long[] left = new long[series];
    for (int s = 0; s < series; s++) {
      left[s] = mine.get(base + s);
    }
    if (ring.stamps.compareAndSet(slot, held, second)) {
      for (int s = 0; s < series; s++) {
        if (left[s] != 0) {
          mine.addAndGet(base + s, -left[s]);
        }
      }
    }
  }

  /** The sum of a series over the last {@code window} whole seconds plus the current one. */
  public long sum(int seriesIndex, int window) {
    long now = second(nanos.getAsLong());
    long total = 0;
    int w = Math.min(window, seconds - 1);
    for (int s = 0; s < Stripe.COUNT; s++) {
      Ring ring = rings.get(s);
      if (ring == null) {
        continue;
      }
      for (int i = 0; i < seconds; i++) {
        long stamp = ring.stamps.get(i);
        if (stamp != Long.MIN_VALUE && stamp <= now && now - stamp <= w) {
          total += ring.counts.get(i * series + seriesIndex);
        }
      }
    }
    return total;
  }
}
