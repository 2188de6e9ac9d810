package dev.turnout.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Figures written by several threads at once, each into its own stripe, still add up exactly. */
class StripedCountingTest {
  private final AtomicLong nanos = new AtomicLong(5_000_000_000_000L);

  @Test
  void threadsThatStartOneAfterAnotherGetDifferentStripes() throws Exception {
    int[] seen = new int[2];
    for (int i = 0; i < 2; i++) {
      int slot = i;
      Thread t = new Thread(() -> seen[slot] = Stripe.index());
      t.start();
      t.join();
    }
    assertThat(Stripe.COUNT).isGreaterThanOrEqualTo(2);
    assertThat(seen[0]).isNotEqualTo(seen[1]);
    assertThat(Stripe.index()).as("a thread keeps its stripe").isEqualTo(Stripe.index());
  }

  @Test
  void aRollingCounterSumsWhatEveryThreadAdded() throws Exception {
    RollingCounter counter = new RollingCounter(60, 2, nanos::get);
    runOnThreads(4, 5_000, (t, i) -> counter.increment(0, 1, i % 2 == 0));

    assertThat(counter.sum(0, 10)).isEqualTo(20_000);
    assertThat(counter.sum(1, 10)).isEqualTo(10_000);

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(11));
    assertThat(counter.sum(0, 10)).as("older than the window").isZero();
  }

  @Test
  void aRecycledBucketKeepsOnlyTheNewSecond() {
    RollingCounter counter = new RollingCounter(2, 1, nanos::get);
    counter.add(0, 5);

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(3)); // the ring has 3 buckets: the same one again
    counter.add(0, 2);

    assertThat(counter.sum(0, 2)).as("the old second's 5 are gone, the new 2 stay").isEqualTo(2);
  }

  @Test
  void threadsSharingAStripeLoseNothingWhenTheyRaceToRecycleABucket() throws Exception {
    // Every round starts a new second, so the first add of every thread races the others to recycle
    // that second's bucket; all threads are pinned to stripe 0, so one owns it and the others share
    // the shared stripe 0, where they race on the same memory. The threads add
    // to the last of many series, so a thread that loses the race adds while the winner is still busy
    // with the bucket: a recycle that zeroed the bucket instead of taking away only the old second's
    // counts lost those adds.
    int threads = 4;
    int rounds = 100;
    int perRound = 20;
    int series = 1024;
    int last = series - 1;
    // A ring of 3 seconds: every recycle empties a bucket that holds a past second's counts, which
    // must go, while the new second's adds must stay.
    RollingCounter counter = new RollingCounter(2, series, nanos::get);
    // Between rounds, with every thread waiting, the round's second is read back, then the clock moves.
    List<Long> counted = new CopyOnWriteArrayList<>();
    boolean[] first = {true};
    CyclicBarrier nextSecond =
        new CyclicBarrier(
            threads,
            () -> {
              if (!first[0]) {
                counted.add(counter.sum(last, 0));
              }
              first[0] = false;
              nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            });
    List<Thread> all = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread =
          new Thread(
              () -> {
                Stripe.pin(0);
                try {
                  for (int r = 0; r < rounds; r++) {
                    nextSecond.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < perRound; i++) {
                      counter.add(last, 1);
                    }
                  }
                } catch (Exception e) {
                  failures.add(e);
                }
              });
      thread.start();
      all.add(thread);
    }
    for (Thread thread : all) {
      thread.join(30_000);
      assertThat(thread.isAlive()).isFalse();
    }
    assertThat(failures).isEmpty();
    counted.add(counter.sum(last, 0));
    // Every second holds exactly its own round's adds: none lost to a racing recycle, and nothing left
    // over from the second that used the bucket three rounds before.
    assertThat(counted).hasSize(rounds).containsOnly((long) threads * perRound);
  }

  @Test
  void latenciesFromEveryThreadReachThePercentiles() throws Exception {
    TrafficStats stats = new TrafficStats(nanos::get, (cls, counter) -> {});
    // Four threads started in turn take turns at the stripes: the 1 ms requests of threads 0 and 2 and
    // the 9 ms ones of threads 1 and 3 land in different stripes, and both must be in the percentiles.
    runOnThreads(4, 1_000, (t, i) -> {
      stats.start();
      stats.finish(true, "", TimeUnit.MILLISECONDS.toNanos(t % 2 == 0 ? 1 : 9));
    });
    stats.tick(Instant.EPOCH, false);

    assertThat(stats.requests()).isEqualTo(4_000);
    assertThat(stats.inFlight()).isZero();
    assertThat(stats.requestRate(10)).isEqualTo(400.0);
    TrafficStats.Percentiles p = stats.latency();
    assertThat(p.p50()).isBetween(0.9, 1.1);
    assertThat(p.p90()).isBetween(8.9, 9.1);
  }

  private interface Step {
    void run(int thread, int i);
  }

  /** Runs {@code step} {@code times} times on each of {@code threads} new threads, all at once. */
  private static void runOnThreads(int threads, int times, Step step) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int number = t;
      CountDownLatch placed = new CountDownLatch(1);
      Thread thread =
          new Thread(
              () -> {
                Stripe.index(); // takes the next stripe now, in the order the threads start
                placed.countDown();
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < times; i++) {
                  step.run(number, i);
                }
              });
      thread.start();
      all.add(thread);
      assertThat(placed.await(10, TimeUnit.SECONDS)).isTrue();
    }
    go.countDown();
    for (Thread thread : all) {
      thread.join(10_000);
      assertThat(thread.isAlive()).isFalse();
    }
  }
}
