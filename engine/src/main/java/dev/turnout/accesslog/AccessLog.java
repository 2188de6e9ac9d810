package dev.turnout.accesslog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A router's access log: lines handed in by the proxy's IO threads, written to a {@link RollingFile}
 * by one writer thread of its own. Between them is a queue of at most {@link #CAPACITY} lines; a line
 * that finds it full is dropped and counted ({@link #dropped()}), so a slow or stuck disk costs the
 * requests nothing but their lines. The writer flushes whenever it has emptied the queue, so a line is
 * on disk soon after its request, and a quiet log holds nothing back. Closing writes what was queued.
 *
 * <pre>{@code
 * AccessLog log = AccessLog.open(Path.of("access.log"), RollPolicy.parse("daily"), true, 7, Clock.systemDefaultZone());
 * log.add("example.com 127.0.0.1 - - [05/03/2024:14:07:09 UTC] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\"");
 * }</pre>
 */
public final class AccessLog implements AutoCloseable {
  public static final int CAPACITY = 8192;

  /** Where the writer puts lines: a rolling file, or in tests one that can be held. */
  interface Sink extends AutoCloseable {
    void write(byte[] line) throws IOException;

    void flush() throws IOException;

    @Override
    void close() throws IOException;
  }

  private static final String STOP = new String("stop"); // compared by identity: no line is this object

  private final BlockingQueue<String> queue;
  private final Sink sink;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final Thread writer;
  private volatile boolean closed;

  AccessLog(Sink sink, int capacity, String name) {
    this.sink = sink;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.writer = new Thread(this::drain, "turnout-access-log-" + name);
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Opens (creating folders as needed) the log at {@code path}; {@code append} false truncates it.
   *
   * @throws IOException when the file cannot be opened for writing
   */
  public static AccessLog open(Path path, RollPolicy policy, boolean append, int rotateCount, Clock clock)
      throws IOException {
    RollingFile file = new RollingFile(path, policy, append, rotateCount, clock);
    Sink sink =
        new Sink() {
          @Override
          public void write(byte[] line) throws IOException {
            file.write(line);
          }

          @Override
          public void flush() throws IOException {
            file.flush();
          }

          @Override
          public void close() throws IOException {
            file.close();
          }
        };
    return new AccessLog(sink, CAPACITY, path.getFileName().toString());
  }

  /**
   * Why {@code path} could not be an access log, checked without creating anything: the file exists
   * and is not a writable regular file, or the nearest folder that exists on its way is not writable.
   * Empty when it looks writable.
   */
  public static java.util.Optional<String> unwritable(Path path) {
    Path p = path.toAbsolutePath();
    if (Files.exists(p)) {
      if (!Files.isRegularFile(p)) {
        return java.util.Optional.of(p + " is not a regular file");
      }
      return Files.isWritable(p) ? java.util.Optional.empty() : java.util.Optional.of(p + " is not writable");
    }
    Path dir = p.getParent();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null || !Files.isDirectory(dir)) {
      return java.util.Optional.of("no folder on the way to " + p + " can hold it");
    }
    return Files.isWritable(dir)
        ? java.util.Optional.empty()
        : java.util.Optional.of("folder " + dir + " is not writable");
  }

  /** Queues one line (without its newline); never blocks: when the queue is full the line is dropped. */
  public void add(String line) {
    if (closed || !queue.offer(line)) {
      dropped.increment();
    }
  }

  /** Lines dropped because the queue was full (or the log closed). */
  public long dropped() {
    return dropped.sum();
  }

  /** Lines written so far. */
  public long written() {
    return written.sum();
  }

  private void drain() {
    List<String> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(batch);
      for (String line : batch) {
        if (line == STOP) {
          stop = true;
          continue;
        }
        try {
          sink.write((line + "\n").getBytes(StandardCharsets.UTF_8));
          written.increment();
        } catch (IOException e) {
          dropped.increment();
        }
      }
      batch.clear();
      try {
        sink.flush();
      } catch (IOException e) {
        // the lines were counted written; a file that stopped taking them shows in the next writes
      }
    }
    try {
      sink.close();
    } catch (IOException e) {
      // nothing left to keep
    }
  }

  /** Writes what was queued (waiting at most five seconds for it), then closes the file. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      // the stop mark goes in after the queued lines; a full queue makes room within the wait
      if (queue.offer(STOP, 5, TimeUnit.SECONDS)) {
        writer.join(TimeUnit.SECONDS.toMillis(5));
      } else {
        writer.interrupt();
      }
    } catch (InterruptedException e) {
      writer.interrupt();
      Thread.currentThread().interrupt();
    }
  }
}
