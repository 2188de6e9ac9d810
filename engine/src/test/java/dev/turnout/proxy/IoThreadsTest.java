package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.metrics.Stripe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IoThreadsTest {

  @Test
  void eachIoThreadCountsIntoTheStripeOfItsNumber() throws Exception {
    try (IoThreads threads = IoThreads.start()) {
      int n = threads.worker().getIoThreadCount();
      assertThat(n).isGreaterThanOrEqualTo(2);
      for (int i = 0; i < n; i++) {
        CompletableFuture<Integer> stripe = new CompletableFuture<>();
        threads.worker().getIoThread(i).execute(() -> stripe.complete(Stripe.index()));
        assertThat(stripe.get(5, TimeUnit.SECONDS)).as("IO thread " + i).isEqualTo(i & (Stripe.COUNT - 1));
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
}
