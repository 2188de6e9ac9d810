package dev.turnout.proxy;

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
  /** Undertow's own choice of buffer for a heap over 128 MiB: 16 KiB, direct, less its slab header. */
  private static final int BUFFER_SIZE = 16 * 1024 - 20;

  private final XnioWorker worker;
  private final DefaultByteBufferPool buffers;

  private IoThreads(XnioWorker worker, DefaultByteBufferPool buffers) {
    this.worker = worker;
    this.buffers = buffers;
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
            .set(Options.WORKER_TASK_CORE_THREADS, 2)
            .set(Options.WORKER_TASK_MAX_THREADS, 2)
            .set(Options.TCP_NODELAY, true)
            .set(Options.CORK, true)
            .set(Options.WORKER_NAME, "turnout-proxy")
            .getMap();
    try {
      XnioWorker worker = Xnio.getInstance(IoThreads.class.getClassLoader()).createWorker(options);
      return new IoThreads(worker, new DefaultByteBufferPool(true, BUFFER_SIZE, -1, 4));
    } catch (IOException e) {
      throw new UncheckedIOException("the proxy's IO threads could not start", e);
    }
  }

  XnioWorker worker() {
    return worker;
  }

  ByteBufferPool buffers() {
    return buffers;
  }

  /** Closes every connection still open on these threads and stops them (waiting at most 2 seconds). */
  @Override
  public void close() {
    worker.shutdown();
    try {
      if (!worker.awaitTermination(2, TimeUnit.SECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
    buffers.close();
  }
}
