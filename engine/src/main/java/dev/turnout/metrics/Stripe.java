package dev.turnout.metrics;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which copy of a per-request counter the current thread writes to. Every proxied request updates
 * several figures; when both IO threads add to the same memory, each add has to pull the cache line from
 * the other core first, and on a two-core machine those waits cost as much as forwarding itself. So the
 * figures that change on every request keep one copy per stripe, each thread writes its own, and
 * readers (once a second, or when asked) add the copies up.
 *
 * <p>The proxy's IO threads, which do nearly all the counting, are given stripes by number as they start
 * ({@link #pin}); any other thread gets one in the order it first counts something. There are at most
 * four stripes: each set of figures keeps a latency recorder (about 55 KB) per stripe in use, so on a
 * many-core machine IO threads share stripes rather than multiply that memory.
 */
public final class Stripe {
  /** A power of two: the number of cores rounded up, at least 2 and at most 4. */
  public static final int COUNT =
      Math.min(4, Integer.highestOneBit(Math.max(2, Runtime.getRuntime().availableProcessors()) * 2 - 1));

  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final ThreadLocal<int[]> MINE =
      ThreadLocal.withInitial(() -> new int[] {NEXT.getAndIncrement() & (COUNT - 1)});

  private Stripe() {}

  /** Gives the current thread stripe {@code number} (modulo {@link #COUNT}) from now on. */
  public static void pin(int number) {
    MINE.get()[0] = number & (COUNT - 1);
  }

  /** The current thread's stripe, in {@code [0, COUNT)}. */
  public static int index() {
    return MINE.get()[0];
  }
}
