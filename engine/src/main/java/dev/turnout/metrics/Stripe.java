package dev.turnout.metrics;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Which copy of a per-request counter the current thread writes to. Every proxied request updates
 * several figures; when both IO threads add to the same memory, each add has to pull the cache line from
 * the other core first, and on a two-core machine those waits cost as much as forwarding itself. So the
 * figures that change on every request keep one copy per stripe, each thread writes its own, and
 * readers (once a second, or when asked) add the copies up.
 *
 * <p>There are two kinds of stripe. The first {@link #OWNED} stripes are each written by one thread at
 * most, its <em>owner</em>: a proxy IO thread that {@link #pin pinned} itself to it while no live thread
 * owned it. An owner writes its stripe with plain stores (no atomic read-modify-write, no phaser but a
 * single writer's). The {@link #SHARED} stripes after them are <em>shared</em>: every other thread (the
 * Undertow task threads, a test's thread, an IO thread whose stripe a live thread already owns) writes
 * one of them with atomic adds, so any number of writers lose nothing. An unpinned thread never gets an
 * owned stripe: {@link #index()} returns an owned stripe only to the thread recorded as its owner.
 *
 * <p>Ownership passes on only when the owner has died ({@link Thread#isAlive()} false, which makes
 * everything it wrote visible to the next owner) or pins itself elsewhere. Each set of figures keeps a
 * latency recorder per stripe in use (a single writer's holds two histograms, a concurrent one four):
 * there are as many owned stripes as cores up to eight (IO threads past the eighth share), and only two
 * shared ones, so a many-core machine holds no more histograms per set than one owned stripe per IO
 * thread. A shared stripe's figures are made only when some thread writes it, which the proxy's own
 * threads, all IO threads owning their stripes, do not.
 */
public final class Stripe {
  /** Stripes a thread can own: the number of cores rounded up to a power of two, at least 2, at most 8. */
  public static final int OWNED =
      Math.min(8, Integer.highestOneBit(Math.max(2, Runtime.getRuntime().availableProcessors()) * 2 - 1));

  /** Shared stripes (a power of two): few writers use them, and each costs memory in every set of figures. */
  public static final int SHARED = 2;

  /** All stripes: {@link #OWNED} owned ones, {@code [0, OWNED)}, then the {@link #SHARED} shared ones. */
  public static final int COUNT = OWNED + SHARED;

  private static final AtomicReferenceArray<Thread> OWNERS = new AtomicReferenceArray<>(OWNED);
  private static final AtomicInteger NEXT = new AtomicInteger();
  /** The shared stripe of a thread that owns none, handed out in turn as threads first count. */
  private static final ThreadLocal<int[]> MINE_SHARED =
      ThreadLocal.withInitial(() -> new int[] {OWNED + (NEXT.getAndIncrement() & (SHARED - 1))});

  private Stripe() {}

  /**
   * Makes the current thread the owner of stripe {@code number} (modulo {@link #OWNED}) if no live thread
   * owns it; otherwise the thread writes a shared stripe (picked by the same number). A stripe it owned before
   * is given up.
   *
   * @return whether the thread owns its stripe now
   */
  public static boolean pin(int number) {
    int wanted = number & (OWNED - 1);
    Thread me = Thread.currentThread();
    for (int s = 0; s < OWNED; s++) {
      if (s != wanted && OWNERS.get(s) == me) {
        OWNERS.set(s, null);
      }
    }
    while (true) {
      Thread held = OWNERS.get(wanted);
      if (held == me) {
        return true;
      }
      if (held != null && held.isAlive()) {
        MINE_SHARED.get()[0] = OWNED + (wanted & (SHARED - 1));
        return false;
      }
      if (OWNERS.compareAndSet(wanted, held, me)) {
        return true;
      }
    }
  }

  /**
   * The current thread's stripe, in {@code [0, COUNT)}: its owned stripe if it has one, else a shared
   * one. Read it once per request event and pass it to every figure that event updates, on the same
   * thread: an owned stripe must be written by its owner only.
   */
  public static int index() {
    Thread me = Thread.currentThread();
    // Only this thread ever stores itself as an owner, so a plain read of the table finds its own entry.
    for (int s = 0; s < OWNED; s++) {
      if (OWNERS.getPlain(s) == me) {
        return s;
      }
    }
    return MINE_SHARED.get()[0];
  }

  /**
   * Whether the current thread may write {@code stripe}: a shared one, or the owned one it owns. For the
   * assertions of the methods that take a stripe read earlier: one carried to another thread would race
   * its owner's plain stores.
   */
  static boolean mine(int stripe) {
    return !owned(stripe) || index() == stripe;
  }

  /** Whether {@code stripe} is owned, so written by one thread only. */
  static boolean owned(int stripe) {
    return stripe < OWNED;
  }
}
