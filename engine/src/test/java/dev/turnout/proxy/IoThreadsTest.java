package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.metrics.Stripe;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IoThreadsTest {

  @Test
  void eachIoThreadCountsIntoTheStripeOfItsNumberOwnedOrElseShared() throws Exception {
    try (IoThreads threads = IoThreads.start()) {
      int n = threads.worker().getIoThreadCount();
      assertThat(n).isGreaterThanOrEqualTo(2);
      Set<Integer> owned = new HashSet<>();
      for (int i = 0; i < n; i++) {
        CompletableFuture<Integer> stripe = new CompletableFuture<>();
        threads.worker().getIoThread(i).execute(() -> stripe.complete(Stripe.index()));
        int got = stripe.get(5, TimeUnit.SECONDS);
        // owned unless a live thread (another worker's, or an earlier IO thread of this one) holds it
        int number = i & (Stripe.OWNED - 1);
        assertThat(got).as("IO thread " + i).isIn(number, Stripe.OWNED + (number & (Stripe.SHARED - 1)));
        if (got < Stripe.OWNED) {
          assertThat(owned.add(got)).as("stripe " + got + " has one owner").isTrue();
        }
      }
    }
  }

  @Test
  void theServersBuffersComeFromTheLockFreePoolWhichClosesWithTheThreads() {
    IoThreads threads = IoThreads.start();
    assertThat(threads.buffers()).isInstanceOf(IoBufferPool.class);
    threads.buffers().allocate().close();
    threads.close();
    assertThat(((IoBufferPool) threads.buffers()).kept()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(threads.buffers()::allocate)
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closingTwiceIsHarmless() {
    IoThreads threads = IoThreads.start();
    threads.close();
    threads.close();
    assertThat(threads.worker().isShutdown()).isTrue();
  }

  @Test
  void closeReturnsOnlyOnceItsThreadsHaveEnded() {
    IoThreads threads = IoThreads.start();
    List<Thread> io = new ArrayList<>();
    for (int i = 0; i < threads.worker().getIoThreadCount(); i++) {
      io.add(threads.worker().getIoThread(i));
    }

    threads.close();

    // so the next IoThreads finds their stripes free (Stripe.pin)
    assertThat(io).isNotEmpty().noneMatch(Thread::isAlive);
  }
}
