package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.undertow.connector.PooledByteBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

class IoBufferPoolTest {
  private XnioWorker worker;

  @BeforeEach
  void startWorker() throws Exception {
    worker =
        Xnio.getInstance(IoBufferPoolTest.class.getClassLoader())
            .createWorker(OptionMap.builder().set(Options.WORKER_IO_THREADS, 2).set(Options.WORKER_NAME, "pool-test").getMap());
  }

  @AfterEach
  void stopWorker() throws Exception {
    worker.shutdown();
    worker.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Runs {@code task} on IO thread {@code i} and waits for it. */
  private <T> T onIoThread(int i, java.util.concurrent.Callable<T> task) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    worker.getIoThread(i).execute(() -> {
      try {
        done.complete(task.call());
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    });
    return done.get(60, TimeUnit.SECONDS);
  }

  @Test
  void buffersTakenAndGivenBackOnIoAndOtherThreadsBalanceAndAreNeverHeldTwice() throws Exception {
    IoBufferPool pool = new IoBufferPool(true, 256, 4, 8);
    Set<ByteBuffer> held = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    AtomicInteger heldTwice = new AtomicInteger();
    Runnable churn = () -> {
      List<PooledByteBuffer> mine = new ArrayList<>();
      for (int round = 0; round < 5_000; round++) {
        int n = 1 + round % 6; // past the per-thread cache now and then
        for (int k = 0; k < n; k++) {
          PooledByteBuffer p = pool.allocate();
          ByteBuffer b = p.getBuffer();
          if (!held.add(b)) {
            heldTwice.incrementAndGet();
          }
          assertThat(b.position()).isZero();
          assertThat(b.remaining()).isEqualTo(256);
          b.putLong(Thread.currentThread().getId());
          mine.add(p);
        }
        for (PooledByteBuffer p : mine) {
          ByteBuffer b = p.getBuffer();
          if (b.getLong(0) != Thread.currentThread().getId()) {
            heldTwice.incrementAndGet();
          }
          held.remove(b);
          p.close();
        }
        mine.clear();
      }
    };
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      all.add(CompletableFuture.runAsync(churn, worker.getIoThread(i)));
    }
    for (int i = 0; i < 2; i++) {
      Thread t = new Thread(churn, "pool-test-plain-" + i);
      CompletableFuture<Void> f = new CompletableFuture<>();
      t.setUncaughtExceptionHandler((th, e) -> f.completeExceptionally(e));
      all.add(f);
      new Thread(() -> {
        t.start();
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        f.complete(null);
      }).start();
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

    assertThat(heldTwice.get()).as("buffers handed to two holders at once").isZero();
    assertThat(pool.outstanding()).isZero();
    // kept: at most 4 for each of the two IO threads, and 8 in the shared queue
    assertThat(pool.kept()).isBetween(1, 4 * 2 + 8);
    // four threads holding at most 6 each never needed more than 24 buffers at once, but a buffer
    // released when the caches and queue are full is made again later; still most were reused
    long takes = 0;
    for (int round = 0; round < 5_000; round++) {
      takes += 4 * (1 + round % 6);
    }
    assertThat(pool.made()).isLessThan(takes / 2);
    pool.close();
    assertThat(pool.kept()).as("the shared queue and the caches of ended threads are emptied").isLessThanOrEqualTo(8);
  }

  @Test
  void anIoThreadReusesItsOwnBuffers() throws Exception {
    IoBufferPool pool = new IoBufferPool(true, 128, 4, 0);
    onIoThread(0, () -> {
      for (int i = 0; i < 1_000; i++) {
        PooledByteBuffer a = pool.allocate();
        PooledByteBuffer b = pool.allocate();
        b.close();
        a.close();
      }
      return null;
    });
    assertThat(pool.made()).isEqualTo(2);
    assertThat(pool.kept()).isEqualTo(2);
    assertThat(pool.outstanding()).isZero();
    pool.close();
  }

  @Test
  void otherThreadsKeepNothingOfTheirOwnOnlyTheSharedQueueBound() {
    IoBufferPool pool = new IoBufferPool(false, 64, 4, 5);
    List<PooledByteBuffer> taken = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      taken.add(pool.allocate());
    }
    assertThat(pool.outstanding()).isEqualTo(100);
    taken.forEach(PooledByteBuffer::close);
    assertThat(pool.outstanding()).isZero();
    assertThat(pool.kept()).isEqualTo(5);
    assertThat(pool.made()).isEqualTo(100);
    // the five kept come back before any new one is made
    for (int i = 0; i < 5; i++) {
      pool.allocate();
    }
    assertThat(pool.made()).isEqualTo(100);
    pool.allocate();
    assertThat(pool.made()).isEqualTo(101);
    assertThat(pool.outstanding()).as("a buffer never given back shows").isEqualTo(6);
    pool.close();
  }

  @Test
  void aSecondCloseIsIgnoredAndTheBufferIsNotKeptTwice() throws Exception {
    IoBufferPool pool = new IoBufferPool(true, 64, 4, 4);
    for (boolean io : new boolean[] {true, false}) {
      java.util.concurrent.Callable<Void> check = () -> {
        PooledByteBuffer a = pool.allocate();
        ByteBuffer first = a.getBuffer();
        a.close();
        a.close();
        assertThat(a.isOpen()).isFalse();
        assertThatThrownBy(a::getBuffer).isInstanceOf(IllegalStateException.class);
        assertThat(pool.outstanding()).isZero();
        PooledByteBuffer b = pool.allocate();
        PooledByteBuffer c = pool.allocate();
        assertThat(b.getBuffer()).isSameAs(first);
        assertThat(c.getBuffer()).isNotSameAs(first);
        b.close();
        c.close();
        assertThat(pool.outstanding()).isZero();
        return null;
      };
      if (io) {
        onIoThread(1, check);
      } else {
        check.call();
      }
    }
    pool.close();
  }

  @Test
  void aLiveIoThreadEmptiesItsOwnCacheOnItsFirstGiveBackAfterTheClose() throws Exception {
    IoBufferPool pool = new IoBufferPool(true, 64, 4, 4);
    PooledByteBuffer held = onIoThread(0, () -> {
      PooledByteBuffer a = pool.allocate();
      pool.allocate().close(); // kept in the thread's cache
      return a;
    });
    assertThat(pool.kept()).isEqualTo(1);
    pool.close();
    assertThat(pool.kept()).as("a live thread's cache is its own to empty").isEqualTo(1);
    onIoThread(0, () -> {
      held.close();
      return null;
    });
    assertThat(pool.kept()).isZero();
    assertThat(pool.outstanding()).isZero();
  }

  @Test
  void aClosedPoolHandsOutNothingAndReleasesWhatComesBack() {
    IoBufferPool pool = new IoBufferPool(true, 64, 4, 4);
    PooledByteBuffer held = pool.allocate();
    pool.allocate().close();
    assertThat(pool.kept()).isEqualTo(1);
    pool.close();
    pool.close();
    assertThat(pool.kept()).isZero();
    assertThatThrownBy(pool::allocate).isInstanceOf(IllegalStateException.class);
    held.close();
    assertThat(pool.outstanding()).isZero();
    assertThat(pool.kept()).isZero();
    assertThat(pool.getArrayBackedPool().isDirect()).isFalse();
    assertThatThrownBy(pool.getArrayBackedPool()::allocate).isInstanceOf(IllegalStateException.class);
  }
}
