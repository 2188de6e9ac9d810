package dev.turnout.proxy;

import dev.turnout.metrics.Stripe;
import io.undertow.Undertow;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * The proxy's IO threads and the buffers they read into, made apart from any one server so that the
 * {@link Warmup} and the proxy that follows it run on the same threads. The JIT compiles the request path
 * against what it has seen, per-thread caches included (the buffer pool's, the JDK's socket buffers): a
 * proxy that opened on fresh threads would find those caches empty, and its first requests would throw
 * out the very code the warm-up compiled.
 *
 * <p>The thread count is {@code -Dturnout.proxy.ioThreads}, by default the number of cores (at least 2).
 */
public final class IoThreads implements AutoCloseable {
  private static final int TASK_THREADS = 2;

  private final XnioWorker worker;
  private final ByteBufferPool buffers;
  private final BalancedAccept.Counts acceptCounts;
  private boolean closed;

  private IoThreads(XnioWorker worker, ByteBufferPool buffers) {
    this.worker = worker;
    this.buffers = buffers;
    this.acceptCounts = new BalancedAccept.Counts(worker);
  }

  /** Callers' connections per IO thread, which every plaintext listener on these threads balances. */
  BalancedAccept.Counts acceptCounts() {
    return acceptCounts;
  }

  public static IoThreads start() {
    int io =
        Integer.getInteger(
            "turnout.proxy.ioThreads", Math.max(2, Runtime.getRuntime().availableProcessors()));
    // As Undertow sets up a worker of its own; every request runs on the IO threads, so the two task
    // threads only serve Undertow's rare blocking work.
    OptionMap options =
        OptionMap.builder()
            .set(Options.WORKER_IO_THREADS, io)
            .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
            .set(Options.CONNECTION_LOW_WATER, 1_000_000)
            .set(Options.WORKER_TASK_CORE_THREADS, TASK_THREADS)
            .set(Options.WORKER_TASK_MAX_THREADS, TASK_THREADS)
            .set(Options.TCP_NODELAY, true)
            .set(Options.CORK, true)
            .set(Options.WORKER_NAME, "turnout-proxy")
            .getMap();
    try {
      XnioWorker worker = Xnio.getInstance(IoThreads.class.getClassLoader()).createWorker(options);
      for (int i = 0; i < worker.getIoThreadCount(); i++) {
        int number = i;
        // Each IO thread owns a stripe of the per-request figures, written without atomic steps; past
        // Stripe.OWNED threads, or while an earlier worker's live thread holds the stripe, it shares one.
        worker.getIoThread(i).execute(() -> Stripe.pin(number));
      }
      return new IoThreads(worker, newBuffers());
    } catch (IOException e) {
      throw new UncheckedIOException("the proxy's IO threads could not start", e);
    }
  }

  /**
   * The buffers Undertow would choose for itself (16 KiB direct ones unless the heap is very small), in a
   * pool without a shared lock ({@link IoBufferPool}). Undertow's builder keeps up to 4 buffers for each
   * thread that takes one and none besides; this pool keeps 4 per IO thread and, for the two task
   * threads' share, 8 in its shared queue: the same bound for the threads this worker has.
   * {@code -Dturnout.proxy.bufferPool=undertow} gives Undertow's pool back, for A/B benchmarks.
   */
  private static ByteBufferPool newBuffers() {
    long heap = Runtime.getRuntime().maxMemory();
    boolean direct = heap >= 64L * 1024 * 1024;
    int size = heap < 64L * 1024 * 1024 ? 512 : heap < 128L * 1024 * 1024 ? 1024 : 16 * 1024 - 20; // less the slab header
    if ("undertow".equals(System.getProperty("turnout.proxy.bufferPool"))) {
      // Undertow's own pool, for benchmarks that set the two side by side in one build
      return new DefaultByteBufferPool(direct, size, -1, 4);
    }
    return new IoBufferPool(direct, size, 4, 4 * TASK_THREADS);
  }

  XnioWorker worker() {
    return worker;
  }

  /** How many IO threads there are. */
  public int ioThreadCount() {
    return worker.getIoThreadCount();
  }

  /**
   * A builder for an Undertow server on these threads and buffers: the router servers', and the
   * warm-up's loopback backend's. Stopping such a server closes its listeners only: the threads and
   * buffers stay as they were (Undertow shuts down only a worker it made itself), and so do the
   * connections it accepted, which end when their other side closes them or by a timeout the server
   * sets. A server on a worker of its own would, on stopping, run the IO loop's shutdown branch, which
   * the loop's compiled code (one for every IO thread in the process) has never taken: the trap throws
   * that code out, and it is compiled again under the real load that follows.
   */
  public Undertow.Builder serverBuilder() {
    return Undertow.builder().setWorker(worker).setByteBufferPool(buffers);
  }

  ByteBufferPool buffers() {
    return buffers;
  }

  /**
   * Closes every connection still open on these threads and stops them (waiting at most 2 seconds).
   * Closing again does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    worker.shutdown();
    boolean ended;
    try {
      ended = worker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ended = false;
    }
    if (ended) {
      // The worker reports its end before its threads have quite finished; an IoThreads started next
      // pins its threads to their figures' stripes only while no live thread holds them (Stripe.pin).
      try {
        for (int i = 0; i < worker.getIoThreadCount(); i++) {
          worker.getIoThread(i).join(1_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      buffers.close();
    } else {
      // A thread still running may hold buffers: leave them to the collector.
      worker.shutdownNow();
    }
  }
}
