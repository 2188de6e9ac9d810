package dev.turnout.metrics;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which copy of a per-request counter the current thread writes to. Every proxied request updates
 * several figures; when both IO threads add to the same memory, each add has to pull the cache line from
 * the other core first, and on a two-core machine those waits cost as much as forwarding itself. So the
 * figures that change on every request keep one copy per stripe, each thread writes its own, and
 * readers (once a second, or when asked) add the copies up.
 *
 * <p>Threads get stripes in the order they first count something, so the proxy's IO threads, which do
 * nearly all the counting, each get their own as long as there are at least as many stripes as cores.
 */
public final class Stripe {
  /** A power of two, at least the number of cores (and at least 2, at most 16). */
  public static final int COUNT =
      Math.min(16, Integer.highestOneBit(Math.max(2, Runtime.getRuntime().availableProcessors()) * 2 - 1));

  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final ThreadLocal<int[]> MINE =
      ThreadLocal.withInitial(() -> new int[] {NEXT.getAndIncrement() & (COUNT - 1)});

  private Stripe() {}

  /** The current thread's stripe, in {@code [0, COUNT)}. */
  public static int index() {
    return MINE.get()[0];
  }
}
