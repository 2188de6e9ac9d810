package dev.turnout.bench;

import dev.turnout.proxy.IoBufferPool;
import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.DefaultByteBufferPool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * Taking and giving back buffers on two XNIO IO threads at once, Undertow's pool (as its builder makes
 * it: 4 per thread, no shared queue) against {@link IoBufferPool} (as {@code IoThreads} makes it). Each
 * round both threads take two buffers and give them back, as a proxied request's read and write do;
 * prints nanoseconds per buffer taken and given back, for 5 alternating runs of each. Not a test:
 *
 * <pre>
 * mvn -q -o -pl engine test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
 *   "-Dexec.args=-cp %classpath dev.turnout.bench.BufferPoolBench"
 * </pre>
 */
@SuppressWarnings("unchecked")
public final class BufferPoolBench {
  private static final int SIZE = 16 * 1024 - 20;
  private static final int ROUNDS = 2_000_000;
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static volatile int sink;

  private BufferPoolBench() {}

  public static void main(String[] args) throws Exception {
    XnioWorker worker =
        Xnio.getInstance(BufferPoolBench.class.getClassLoader())
            .createWorker(OptionMap.builder().set(Options.WORKER_IO_THREADS, 2).set(Options.WORKER_NAME, "bench").getMap());
    try {
      for (int run = 0; run < 6; run++) {
        ByteBufferPool undertow = new DefaultByteBufferPool(true, SIZE, -1, 4);
        ByteBufferPool turnout = new IoBufferPool(true, SIZE, 4, 8);
        double[] u = measure(worker, undertow);
        double[] t = measure(worker, turnout);
        undertow.close();
        turnout.close();
        if (run > 0) { // the first is warm-up
          System.out.printf(
              "run %d: Undertow's pool %.1f ns/op (CPU %.1f), IoBufferPool %.1f ns/op (CPU %.1f)%n",
              run, u[0], u[1], t[0], t[1]);
        }
      }
    } finally {
      worker.shutdown();
      worker.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Nanoseconds per buffer taken and given back, both IO threads running together: the elapsed time
   * and the two threads' mean CPU time (which a loaded machine's descheduling does not inflate).
   */
  private static double[] measure(XnioWorker worker, ByteBufferPool pool) throws Exception {
    CompletableFuture<Long>[] done = new CompletableFuture[2];
    long start = System.nanoTime();
    for (int i = 0; i < 2; i++) {
      done[i] = CompletableFuture.supplyAsync(() -> churn(pool), worker.getIoThread(i));
    }
    CompletableFuture.allOf(done).get(10, TimeUnit.MINUTES);
    long elapsed = System.nanoTime() - start;
    double cpu = (done[0].get() + done[1].get()) / 2.0;
    // two buffers a round
    return new double[] {(double) elapsed / ROUNDS / 2, cpu / ROUNDS / 2};
  }

  /** The rounds on this thread; returns the CPU time they took. */
  private static long churn(ByteBufferPool pool) {
    long cpu = CPU.getCurrentThreadCpuTime();
    int s = 0;
    for (int i = 0; i < ROUNDS; i++) {
      PooledByteBuffer read = pool.allocate();
      PooledByteBuffer write = pool.allocate();
      s += read.getBuffer().capacity() + write.getBuffer().remaining();
      write.close();
      read.close();
    }
    sink = s;
    return CPU.getCurrentThreadCpuTime() - cpu;
  }
}
