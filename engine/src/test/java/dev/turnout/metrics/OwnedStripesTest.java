package dev.turnout.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A stripe an IO thread owns is written by that thread alone, without atomic steps: no other thread may
 * ever land on it, and figures written by owners and by threads sharing stripes, all at once, add up
 * exactly.
 */
class OwnedStripesTest {
  private final AtomicLong nanos = new AtomicLong(7_000_000_000_000L);

  @Test
  void anUnpinnedThreadNeverGetsAnOwnedStripe() throws Exception {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 4 * Stripe.COUNT; i++) {
      onNewThread(() -> seen.add(Stripe.index()));
    }

    assertThat(seen).hasSize(4 * Stripe.COUNT).allMatch(s -> s >= Stripe.OWNED && s < Stripe.COUNT);
  }

  @Test
  void aThreadPinnedToAStripeALiveThreadOwnsSharesInstead() throws Exception {
    int number = freeNumber();
    CountDownLatch owning = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Boolean> ownerPinned = new AtomicReference<>();
    AtomicReference<Integer> ownerStripe = new AtomicReference<>();
    Thread owner =
        new Thread(
            () -> {
              ownerPinned.set(Stripe.pin(number));
              ownerStripe.set(Stripe.index());
              owning.countDown();
              awaitQuietly(done);
            });
    owner.start();
    assertThat(owning.await(10, TimeUnit.SECONDS)).isTrue();

    int[] second = new int[2];
    onNewThread(() -> {
      second[0] = Stripe.pin(number) ? 1 : 0;
      second[1] = Stripe.index();
    });
    done.countDown();
    owner.join(10_000);

    assertThat(ownerPinned.get()).isTrue();
    assertThat(ownerStripe.get()).isEqualTo(number);
    assertThat(second[0]).as("the second thread does not own the stripe").isZero();
    assertThat(second[1]).isEqualTo(Stripe.OWNED + (number & (Stripe.SHARED - 1)));
  }

  @Test
  void theStripeOfAnOwnerThatDiedPassesToTheNextThreadPinnedThere() throws Exception {
    int number = freeNumber();
    int[] first = new int[1];
    onNewThread(() -> first[0] = Stripe.pin(number) ? Stripe.index() : -1);

    int[] next = new int[1];
    onNewThread(() -> next[0] = Stripe.pin(number) ? Stripe.index() : -1);

    assertThat(first[0]).isEqualTo(number);
    assertThat(next[0]).isEqualTo(number);
  }

  @Test
  void aThreadPinnedElsewhereGivesUpTheStripeItOwned() throws Exception {
    int number = freeNumber();
    CountDownLatch moved = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread mover =
        new Thread(
            () -> {
              Stripe.pin(number);
              Stripe.pin(number + 1); // owned or shared: either way no longer the owner of number
              moved.countDown();
              awaitQuietly(done);
            });
    mover.start();
    assertThat(moved.await(10, TimeUnit.SECONDS)).isTrue();

    boolean[] taken = new boolean[1];
    onNewThread(() -> taken[0] = Stripe.pin(number));
    done.countDown();
    mover.join(10_000);

    assertThat(taken[0]).isTrue();
  }

  @Test
  void ownersAndSharersWritingTheSameScopesAtOnceLoseAndDoubleNothing() throws Exception {
    ProxyMetrics metrics = new ProxyMetrics(nanos::get, java.time.Clock.systemUTC());
    TrafficStats service = metrics.service("web", "/svc/users");
    TrafficStats client = metrics.client("web", "#/io.l5d.fs/users");
    TrafficStats endpoint = metrics.endpoint("web", "#/io.l5d.fs/users", "127.0.0.1:8080", () -> false);
    TrafficStats[] scopes = {service, client, endpoint};
    // more codes than a stripe's block counts itself, so the overflow table counts some answers too
    int[] codes = {200, 201, 204, 301, 404, 500, 503};
    int perThread = 3_000 * 7; // each code the same number of times
    List<Integer> free = freeNumbers();
    int pinned = free.size();
    int unpinned = 3;
    int threads = pinned + unpinned;
    CyclicBarrier allStarted = new CyclicBarrier(threads + 1);
    CyclicBarrier finishNow = new CyclicBarrier(threads + 1);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Boolean> owned = new CopyOnWriteArrayList<>();
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      boolean pin = t < pinned;
      int number = pin ? free.get(t) : -1;
      int order = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  if (pin) {
                    owned.add(Stripe.pin(number) && Stripe.owned(Stripe.index()));
                  }
                  // Starts here and finishes after the barrier, the test thread reading the requests in
                  // flight between. The first thread starts twice its share and the second none, so
                  // some requests start on one thread and finish on another.
                  int starts = order == 0 ? 2 * perThread : order == 1 ? 0 : perThread;
                  for (int i = 0; i < starts; i++) {
                    int stripe = Stripe.index();
                    for (TrafficStats s : scopes) {
                      s.start(stripe);
                    }
                  }
                  allStarted.await(30, TimeUnit.SECONDS);
                  finishNow.await(30, TimeUnit.SECONDS);
                  for (int i = 0; i < perThread; i++) {
                    int stripe = Stripe.index();
                    long now = metrics.nanos();
                    int code = codes[i % codes.length];
                    boolean ok = code < 500;
                    for (TrafficStats s : scopes) {
                      s.status(stripe, code);
                      s.finish(stripe, now, ok, ok ? "" : Integer.toString(code), TimeUnit.MILLISECONDS.toNanos(2));
                    }
                  }
                } catch (Exception e) {
                  failures.add(e);
                }
              });
      thread.start();
      all.add(thread);
    }
    allStarted.await(30, TimeUnit.SECONDS);
    long total = (long) threads * perThread;
    List<Long> startedNotFinished = new ArrayList<>();
    for (TrafficStats s : scopes) {
      startedNotFinished.add(s.inFlight());
    }
    finishNow.await(30, TimeUnit.SECONDS);
    for (Thread thread : all) {
      thread.join(60_000);
      assertThat(thread.isAlive()).isFalse();
    }
    assertThat(failures).isEmpty();
    assertThat(startedNotFinished).as("all started, none finished").containsOnly(total);
    assertThat(owned).as("the pinned threads own their stripes").hasSize(pinned).containsOnly(true);

    metrics.tick();
    long perCode = total / codes.length;
    long failed = 2 * perCode;
    for (TrafficStats s : scopes) {
      assertThat(s.inFlight()).isZero();
      assertThat(s.requests()).isEqualTo(total);
      assertThat(s.successes()).isEqualTo(total - failed);
      assertThat(s.failures()).isEqualTo(failed);
      assertThat(s.failuresByClass()).isEqualTo(Map.of("500", perCode, "503", perCode));
      assertThat(s.statuses().byCode())
          .containsExactlyEntriesOf(
              new java.util.TreeMap<>(
                  Map.of(200, perCode, 201, perCode, 204, perCode, 301, perCode, 404, perCode, 500, perCode,
                      503, perCode)));
      assertThat(s.statuses().byClass()).isEqualTo(Map.of("2XX", 3 * perCode, "3XX", perCode, "4XX", perCode,
          "5XX", 2 * perCode));
      assertThat(s.summary().count()).as("every latency recorded once").isEqualTo(total);
      assertThat(s.latencyBuckets().sumMillis()).isEqualTo(total * 2.0);
      assertThat(s.requestRate(10)).isEqualTo(total / 10.0);
    }
  }

  /** A number whose owned stripe no live thread holds; fails if other tests left every one held. */
  private static int freeNumber() throws Exception {
    List<Integer> free = freeNumbers();
    assertThat(free).as("an owned stripe no live thread holds").isNotEmpty();
    return free.get(0);
  }

  /** The numbers of the owned stripes a new thread can own now (checked by pinning and dying). */
  private static List<Integer> freeNumbers() throws Exception {
    List<Integer> free = new ArrayList<>();
    for (int n = 0; n < Stripe.OWNED; n++) {
      int number = n;
      boolean[] ok = new boolean[1];
      onNewThread(() -> ok[0] = Stripe.pin(number));
      if (ok[0]) {
        free.add(n);
      }
    }
    return free;
  }

  private static void onNewThread(Runnable r) throws Exception {
    Thread t = new Thread(r);
    t.start();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
