package dev.turnout.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The counters one scope ({@link TrafficStats}) updates on every request, kept as one block per {@link
 * Stripe}: requests in flight, successes, failures, retries, the running latency sum, and the counts of
 * the first few status codes the stripe saw. A block is written by the threads of its stripe only: its
 * owner writes with a plain load and an opaque store (no atomic read-modify-write, no cache line shared
 * with another writer), the threads of a shared stripe with atomic adds. Readers sum the blocks with
 * opaque loads; a figure is exact once its writers are done, and never counts a write twice.
 *
 * <p>{@code in flight} is a sum of +1s and -1s: a request started on one thread and finished on another
 * adds +1 to one stripe and -1 to the other, and the sum over stripes is exact. A reader that catches
 * the two halves apart may see one request too few or too many for that instant.
 *
 * <p>A block is made when its stripe first writes, with 128 bytes of padding at either end so that no
 * other object's hot fields share its cache lines (or the line the CPU prefetches beside them).
 */
final class StripedCounts {
  static final int IN_FLIGHT = 0;
  static final int SUCCESSES = 1;
  static final int FAILURES = 2;
  static final int RETRIES = 3;
  static final int LATENCY_SUM_MICROS = 4;
  private static final int FIELDS = 5;
  /** Status codes a block counts itself; a stripe's further codes go to the caller's fallback. */
  static final int CODE_SLOTS = 4;

  private static final int PAD = 16;
  /** A (code, count) pair per slot after the fields; a code of 0 marks a free slot. */
  private static final int CODES = PAD + FIELDS;
  private static final int LENGTH = CODES + 2 * CODE_SLOTS + PAD;
  private static final VarHandle AT = MethodHandles.arrayElementVarHandle(long[].class);

  private final AtomicReferenceArray<long[]> blocks = new AtomicReferenceArray<>(Stripe.COUNT);

  private long[] block(int stripe) {
    long[] b = blocks.get(stripe);
    if (b == null) {
      blocks.compareAndSet(stripe, null, new long[LENGTH]);
      b = blocks.get(stripe);
    }
    return b;
  }

  private static void add(long[] b, int i, long delta, boolean owned) {
    if (owned) {
      AT.setOpaque(b, i, b[i] + delta);
    } else {
      // cast: an uncast result makes the call return Object, and boxes the old value on every add
      long was = (long) AT.getAndAdd(b, i, delta);
    }
  }

  /** Adds {@code delta} to {@code field} in {@code stripe}, the calling thread's {@link Stripe#index()}. */
  void add(int stripe, int field, long delta) {
    add(block(stripe), PAD + field, delta, Stripe.owned(stripe));
  }

  /** A request finished: one out of flight, one success or failure, and its latency in the sum. */
  void finish(int stripe, boolean success, long micros) {
    long[] b = block(stripe);
    boolean owned = Stripe.owned(stripe);
    add(b, PAD + IN_FLIGHT, -1, owned);
    add(b, PAD + (success ? SUCCESSES : FAILURES), 1, owned);
    add(b, PAD + LATENCY_SUM_MICROS, micros, owned);
  }

  /** The sum of {@code field} over every stripe. */
  long sum(int field) {
    long total = 0;
    for (int s = 0; s < Stripe.COUNT; s++) {
      long[] b = blocks.get(s);
      if (b != null) {
        total += (long) AT.getOpaque(b, PAD + field);
      }
    }
    return total;
  }

  /**
   * Counts one answer with {@code status} (not 0) in one of {@code stripe}'s code slots, taking a free
   * slot for a code the stripe has not seen; false, counting nothing, when every slot holds another code.
   * A slot's code is set before its count grows and never changes after.
   */
  boolean addStatus(int stripe, int status) {
    long[] b = block(stripe);
    boolean owned = Stripe.owned(stripe);
    for (int i = CODES; i < CODES + 2 * CODE_SLOTS; i += 2) {
      long code = (long) AT.getAcquire(b, i);
      if (code == 0) {
        if (owned) {
          AT.setRelease(b, i, (long) status);
          code = status;
        } else {
          long was = (long) AT.compareAndExchange(b, i, 0L, (long) status);
          code = was == 0 ? status : was;
        }
      }
      if (code == status) {
        add(b, i + 1, 1, owned);
        return true;
      }
    }
    return false;
  }

  /** Adds every stripe's code counts into {@code out}; codes counted zero times are left out. */
  void statusesInto(Map<Integer, Long> out) {
    for (int s = 0; s < Stripe.COUNT; s++) {
      long[] b = blocks.get(s);
      if (b == null) {
        continue;
      }
      for (int i = CODES; i < CODES + 2 * CODE_SLOTS; i += 2) {
        long code = (long) AT.getAcquire(b, i);
        if (code == 0) {
          break;
        }
        long n = (long) AT.getOpaque(b, i + 1);
        if (n > 0) {
          out.merge((int) code, n, Long::sum);
        }
      }
    }
  }
}
