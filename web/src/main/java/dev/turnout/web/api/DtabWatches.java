package dev.turnout.web.api;

import dev.turnout.store.DtabStore;
import dev.turnout.store.StoreEvent;
import io.javalin.http.Context;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * namerd's {@code ?watch=true}: a chunked answer that stays open and carries one value a line, the
 * current one first and then one per change. It ends when the client goes away (noticed at the next
 * write), when the server stops ({@link #closeAll}), or when its reader falls too far behind.
 *
 * <p>A stream holds no thread. Its request is put in servlet async mode and its lines are written
 * without blocking (a {@link WriteListener}); what the socket does not take yet waits in the
 * stream's own queue. One thread ({@code turnout-watches}) works out every stream's lines: it takes
 * the store's events in commit order, rechecks the streams whose value can change without the store
 * knowing, and writes heartbeats. Streams that watch the same thing (many followers binding one name)
 * give a share key, and each change is then worked out once for all of them.
 *
 * <p>So a stream costs memory and a file descriptor, not a thread, and the most streams open at once
 * is derived from those ({@link Limits#derived}); past it a watch gets 503 with {@code Retry-After}.
 * A stream whose reader has left more than {@link Limits#maxUnreadBytes} unread for {@link
 * Limits#unreadGrace} is closed, so one stuck follower cannot hold the server's memory.
 *
 * <p>Why one class of this size: the open streams, the renders they share and the one writer thread
 * that serves them are one mechanism, each stream's non-blocking writes driven by that thread and by
 * its own {@code WriteListener}; only the limits ({@link Limits}) stand apart.
 */
public final class DtabWatches {
  private static final Logger log = LoggerFactory.getLogger(DtabWatches.class);

  /**
   * A stream learns that its client has gone only when it writes, and a value that does not change is
   * never written again; so a JSON stream gets a blank line (whitespace between JSON values, which
   * stream readers skip) after this long without a line, and a gone client frees its place. Text
   * streams (a dtab as text, where a blank line would read as an empty dtab) get none.
   */
  static final Duration HEARTBEAT = Duration.ofSeconds(30);

  /** How often streams whose value changes without the store knowing are worked out again. */
  static final Duration RECHECK = Duration.ofSeconds(1);

  /** The heartbeat, one array for every stream (never written into: a socket only reads it). */
  private static final byte[] BLANK_LINE = {'\n'};

  /**
   * How many streams may be open, and how far behind a reader may fall.
   *
   * @param maxStreams streams open at once; a further watch is refused with 503
   * @param maxUnreadBytes bytes a stream may hold for its reader without a deadline
   * @param unreadGrace how long a stream may hold more than that before it is closed
   */
  public record Limits(int maxStreams, long maxUnreadBytes, Duration unreadGrace) {
    /**
     * Per stream, what the budget of heap allows for: Jetty's connection and request objects, the
     * stream, and a few lines queued. WatchStreamsIT measured 9.0 KiB of live heap a stream on a
     * control plane holding 8,333 streams opened by another process (its lines are shared arrays).
     */
    static final long BYTES_PER_STREAM = 12 * 1024;
    /** File descriptors kept for everything else: the store, the proxy's connections, logs, jars. */
    static final long FDS_KEPT = 1024;

    public Limits {
      if (maxStreams < 1) {
        throw new IllegalArgumentException("the watch stream limit must be at least 1, not " + maxStreams);
      }
      if (maxUnreadBytes < 1) {
        throw new IllegalArgumentException("the unread limit must be positive, not " + maxUnreadBytes);
      }
      if (unreadGrace.isNegative()) {
        throw new IllegalArgumentException("the unread grace must not be negative: " + unreadGrace);
      }
    }

    /** {@code maxStreams} with the standard allowance for slow readers: 1 MiB for 30 s. */
    public static Limits of(int maxStreams) {
      return new Limits(maxStreams, 1024 * 1024, Duration.ofSeconds(30));
    }

    /**
     * The limit this process can afford: three quarters of the file descriptors it may open beyond
     * {@link #FDS_KEPT} (the proxy in the same process keeps the rest, two a proxied connection: a
     * control plane's work is its followers' streams), and half its maximum heap at {@link
     * #BYTES_PER_STREAM} a stream; whichever is lower. With 20,000 open files that is 14,232.
     */
    public static Limits derived(long maxFileDescriptors, long maxHeapBytes) {
      long byFiles = Math.max(1, (maxFileDescriptors - FDS_KEPT) * 3 / 4);
      long byMemory = Math.max(1, maxHeapBytes / 2 / BYTES_PER_STREAM);
      return of((int) Math.min(Integer.MAX_VALUE, Math.min(byFiles, byMemory)));
    }

    /** {@link #derived(long, long)} for this JVM. */
    public static Limits derived() {
      return derived(maxFileDescriptors(), Runtime.getRuntime().maxMemory());
    }

    /**
     * The soft limit on open files as this JVM sees it; HotSpot raises its soft limit to the hard one
     * at start on Linux ({@code -XX:+MaxFDLimit}, on by default). 4096 when it cannot be read.
     */
    public static long maxFileDescriptors() {
      if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
        return unix.getMaxFileDescriptorCount();
      }
      return 4096;
    }

    /** One line for the start-up log. */
    public String describe() {
      return "at most " + maxStreams + " watch streams (open files " + maxFileDescriptors()
          + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB); a reader"
          + " leaving over " + maxUnreadBytes / 1024 + " KiB unread for " + unreadGrace.toSeconds()
          + " s is cut off";
    }
  }

  private final ScheduledExecutorService loop;
  private final AutoCloseable subscription;
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger streams = new AtomicInteger();
  private final Duration heartbeat;
  private final Duration recheck;
  private final Limits limits;
  private final LongSupplier nanos;
  private final AtomicInteger shared = new AtomicInteger();
  private long lastRecheck;

  DtabWatches(DtabStore store, Limits limits) {
    this(store::subscribe, HEARTBEAT, RECHECK, limits, System::nanoTime);
  }

  /**
   * Streams told of changes by {@code subscribe} (which returns what ends the subscription), with a
   * blank line on a JSON stream after {@code heartbeat} without one.
   */
  DtabWatches(Function<Consumer<StoreEvent>, AutoCloseable> subscribe, Duration heartbeat) {
    this(subscribe, heartbeat, RECHECK, Limits.of(256), System::nanoTime);
  }

  /** As above, with at most {@code limit} streams open at once. */
  DtabWatches(Function<Consumer<StoreEvent>, AutoCloseable> subscribe, Duration heartbeat, int limit) {
    this(subscribe, heartbeat, RECHECK, Limits.of(limit), System::nanoTime);
  }

  /**
   * Every part given: rechecking streams are worked out again every {@code recheck}, and {@code
   * nanos} is the clock that heartbeats and the unread grace are counted by.
   */
  DtabWatches(
      Function<Consumer<StoreEvent>, AutoCloseable> subscribe,
      Duration heartbeat,
      Duration recheck,
      Limits limits,
      LongSupplier nanos) {
    this.heartbeat = heartbeat;
    this.recheck = recheck;
    this.limits = limits;
    this.nanos = nanos;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "turnout-watches");
              t.setDaemon(true);
              return t;
            });
    this.lastRecheck = nanos.getAsLong();
    this.subscription = subscribe.apply(event -> loop.execute(() -> round(event, false)));
    long tick = Math.max(10, Math.min(250, Math.min(heartbeat.toMillis(), recheck.toMillis()) / 4));
    loop.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
  }

  /** How many streams may be open at once. */
  int limit() {
    return limits.maxStreams();
  }

  /** The limits in force. */
  public Limits limits() {
    return limits;
  }

  /** Open streams, for tests and the curious. */
  int open() {
    return streams.get();
  }

  /** Values worked out once for several streams, since the start: for tests. */
  int sharedRenders() {
    return shared.get();
  }

  /**
   * One line to write, and what makes it new: a line whose key equals the last one's is dropped. A
   * line that {@code ends} the stream is written and the stream closed (namerd ends a watch that fails
   * with a line saying why).
   *
   * <p>The line is encoded once, when made; every stream given the same {@code Line} writes that one
   * array (a change watched by a thousand followers is one array, not a thousand copies).
   */
  static final class Line {
    private final String key;
    private final byte[] bytes;
    private final boolean ends;

    Line(String key, String text, boolean ends) {
      this.key = java.util.Objects.requireNonNull(key, "key");
      this.bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
      this.ends = ends;
    }

    Line(String key, String text) {
      this(key, text, false);
    }

    String key() {
      return key;
    }

    /** The line as written, with its newline. */
    String text() {
      return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
    }

    boolean ends() {
      return ends;
    }

    @Override
    public String toString() {
      return "Line[" + key + (ends ? ", ends" : "") + "]";
    }
  }

  /**
   * Streams a value derived from the store: {@code render} is called first with null and then with
   * every change, and its line is written unless its key repeats the last one written. An empty
   * answer writes nothing. {@code render} is only ever called on the watch thread.
   */
  void stream(Context ctx, String contentType, Function<StoreEvent, Optional<Line>> render) {
    stream(ctx, contentType, render, null);
  }

  /**
   * Streams a value that also changes without the store knowing (a namer's endpoints, as files
   * change): as {@link #stream(Context, String, Function)}, and besides, with a {@code shareKey},
   * {@code render} is called with null every {@link #RECHECK}. Streams with equal share keys watch
   * the same value: each change is rendered once, by one of them, and its line given to all.
   */
  void stream(Context ctx, String contentType, Function<StoreEvent, Optional<Line>> render, String shareKey) {
    if (streams.incrementAndGet() > limits.maxStreams()) {
      streams.decrementAndGet();
      throw new ApiError(
          503,
          "too many watch streams are open (" + limits.maxStreams() + "); try again later",
          Map.of("Retry-After", "5"));
    }
    ctx.status(200);
    ctx.res().setContentType(contentType);
    ctx.res().setHeader("Cache-Control", "no-cache");
    CompletableFuture<Void> done = new CompletableFuture<>();
    ctx.future(
        () -> {
          // Javalin has put the request in async mode by now, and completes it when `done` does.
          try {
            Stream s = new Stream(ctx, contentType.startsWith(DtabBodies.JSON), render, shareKey, done);
            s.async.addListener(s);
            s.out.setWriteListener(s);
            loop.execute(
                () -> {
                  open.add(s);
                  s.offer(s.render(null, new HashMap<>()));
                });
          } catch (IOException | RuntimeException e) {
            streams.decrementAndGet();
            done.complete(null);
          }
          return done;
        });
  }

  /** Every stream told of {@code event} (null: a recheck), each shared value worked out once. */
  private void round(StoreEvent event, boolean rechecksOnly) {
    Map<String, Optional<Line>> worked = new HashMap<>();
    for (Stream s : open) {
      if (!rechecksOnly || s.shareKey != null) {
        s.offer(s.render(event, worked));
      }
    }
  }

  /** Rechecks when due, heartbeats, and cuts off readers that stopped reading. */
  private void tick() {
    try {
      long now = nanos.getAsLong();
      if (now - lastRecheck >= recheck.toNanos()) {
        lastRecheck = now;
        round(null, true);
      }
      for (Stream s : open) {
        s.housekeep(now);
      }
    } catch (RuntimeException e) {
      log.warn("watch streams' tick failed", e);
    }
  }

  /** Ends every open stream and the watch thread (the server is stopping). */
  void closeAll() {
    try {
      subscription.close();
    } catch (Exception e) {
      log.debug("ending the store subscription failed", e);
    }
    loop.execute(
        () -> {
          for (Stream s : open) {
            s.end(null);
          }
        });
    loop.shutdown();
    try {
      // Ended before Jetty stops, so each is completed while its request still exists.
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One open stream: its last line, and the bytes its reader has not taken yet. */
  private final class Stream implements WriteListener, AsyncListener {
    private final Context ctx;
    private final AsyncContext async;
    private final ServletOutputStream out;
    /**
     * Jetty's own output, when the stream is one: its {@code write(ByteBuffer)} hands each line to
     * the socket as it is, where {@code write(byte[])} would first copy it into a response buffer the
     * connection then keeps while it lives (32 KiB of direct memory, by default, per open stream).
     */
    private final HttpOutput jetty;
    private final boolean beats;
    private final Function<StoreEvent, Optional<Line>> render;
    private final String shareKey;
    private final CompletableFuture<Void> done;
    /**
     * Guarded by this: lines waiting for the socket (arrays shared with other streams, never written
     * into), the bytes in them, and whether a flush is owed.
     */
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private long pendingBytes;
    private boolean needsFlush = true; // commits the headers at once, so the client knows it is open
    private boolean endAfterDrain;
    private boolean ended;
    private boolean completed; // by the container: the request is gone, and must not be touched
    /** Watch thread only. */
    private String last;
    private long wroteAt;
    private long overSince = -1;

    Stream(
        Context ctx,
        boolean beats,
        Function<StoreEvent, Optional<Line>> render,
        String shareKey,
        CompletableFuture<Void> done)
        throws IOException {
      this.ctx = ctx;
      this.async = ctx.req().getAsyncContext();
      this.out = ctx.res().getOutputStream();
      this.jetty = out instanceof HttpOutput h ? h : null;
      this.beats = beats;
      this.render = render;
      this.shareKey = shareKey;
      this.done = done;
      this.wroteAt = nanos.getAsLong();
    }

    /** This stream's line for {@code event}, or the one already worked out for its share key. */
    Optional<Line> render(StoreEvent event, Map<String, Optional<Line>> worked) {
      try {
        if (shareKey == null) {
          return render.apply(event);
        }
        Optional<Line> line = worked.get(shareKey);
        if (line == null) {
          line = render.apply(event);
          worked.put(shareKey, line);
        } else {
          shared.incrementAndGet();
        }
        return line;
      } catch (RuntimeException e) {
        log.warn("a watch stream of {} failed", ctx.path(), e);
        end(null);
        return Optional.empty();
      }
    }

    /** Queues {@code line} unless it repeats the last one. Watch thread. */
    void offer(Optional<Line> line) {
      if (line.isEmpty() || line.get().key().equals(last)) {
        drain();
        return;
      }
      last = line.get().key();
      write(line.get().bytes, line.get().ends());
    }

    /** The heartbeat when due, and the deadline of a reader that stopped reading. Watch thread. */
    void housekeep(long now) {
      if (beats && now - wroteAt >= heartbeat.toNanos()) {
        write(BLANK_LINE, false);
      }
      long unread;
      synchronized (this) {
        unread = pendingBytes;
      }
      if (unread <= limits.maxUnreadBytes()) {
        overSince = -1;
      } else if (overSince < 0) {
        overSince = now;
      } else if (now - overSince >= limits.unreadGrace().toNanos()) {
        log.info(
            "closing a watch stream of {} from {}: {} bytes unread for over {} ms",
            ctx.path(), ctx.ip(), unread, limits.unreadGrace().toMillis());
        end(new IOException("the reader left " + unread + " bytes unread"));
      }
    }

    private void write(byte[] bytes, boolean thenEnd) {
      wroteAt = nanos.getAsLong();
      synchronized (this) {
        pending.add(bytes);
        pendingBytes += bytes.length;
        needsFlush |= jetty == null;
        endAfterDrain |= thenEnd;
      }
      drain();
    }

    @Override
    public void onWritePossible() {
      drain();
    }

    /** Gives the socket what it takes now; the rest waits for {@link #onWritePossible}. */
    private void drain() {
      boolean finished = false;
      synchronized (this) {
        if (ended) {
          return;
        }
        try {
          while (out.isReady()) {
            byte[] next = pending.poll();
            if (next != null) {
              pendingBytes -= next.length;
              if (jetty != null) {
                jetty.write(ByteBuffer.wrap(next)); // a view: the array is shared with other streams
              } else {
                out.write(next);
              }
            } else if (needsFlush) {
              needsFlush = false;
              out.flush();
            } else {
              finished = endAfterDrain;
              break;
            }
          }
        } catch (IOException | IllegalStateException e) {
          finished = true;
        }
      }
      if (finished) {
        end(null);
      }
    }

    @Override
    public void onError(Throwable t) {
      end(null); // the client went away; nothing to tell anyone
    }

    @Override
    public void onComplete(AsyncEvent event) {
      synchronized (this) {
        completed = true;
      }
      end(null);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      end(null);
    }

    @Override
    public void onError(AsyncEvent event) {
      end(null);
    }

    @Override
    public void onStartAsync(AsyncEvent event) {}

    /** Ends the stream; with {@code abort}, by closing its connection (its reader is stuck). */
    void end(IOException abort) {
      boolean gone;
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        gone = completed;
        pending.clear();
        pendingBytes = 0;
      }
      open.remove(this);
      streams.decrementAndGet();
      if (gone) {
        return;
      }
      if (abort != null) {
        try {
          ServletContextRequest.getServletContextRequest(async.getRequest()).getServletChannel().abort(abort);
        } catch (RuntimeException e) {
          log.debug("aborting a stuck watch stream failed", e);
        }
        // Not `done`: Jetty recycles an aborted request, and Javalin, finishing a future completed
        // after that, fails on the recycled request and fails again in its own error handler, for
        // ever, on this thread. The future is left to be collected with the stream.
        return;
      }
      done.complete(null);
    }
  }
}
