package dev.turnout.web.api;

import dev.turnout.store.DtabStore;
import dev.turnout.store.StoreEvent;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * namerd's {@code ?watch=true}: a chunked answer that stays open and carries one value a line, the
 * current one first and then one per change. Each stream holds its request thread; it ends when the
 * client goes away (noticed at the next write) or the server stops ({@link #closeAll}).
 *
 * <p>Since each stream holds one of the admin server's threads, at most {@link #MAX_STREAMS} are open at
 * once, and the admin server keeps that many threads on top of those it answers everything else with;
 * a further watch is refused with 503 and {@code Retry-After}, so watchers never leave the dashboard
 * and the API without a thread to answer on.
 */
public final class DtabWatches {
  static final int MAX_STREAMS = DtabApi.MAX_WATCH_STREAMS;

  /** Put in a stream's queue to end it. */
  private static final StoreEvent STOP = new StoreEvent("", null, StoreEvent.Kind.DELETED);

  private final Function<Consumer<StoreEvent>, AutoCloseable> subscribe;
  private final Set<BlockingQueue<StoreEvent>> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger streams = new AtomicInteger();
  private final Duration heartbeat;
  private final int limit;

  /**
   * A stream learns that its client has gone only when it writes, and a value that does not change is
   * never written again; so a JSON stream gets a blank line (whitespace between JSON values, which
   * stream readers skip) after this long without a line, and a gone client frees its thread and its
   * place. Text streams (a dtab as text, where a blank line would read as an empty dtab) get none.
   */
  static final Duration HEARTBEAT = Duration.ofSeconds(30);

  DtabWatches(DtabStore store, int limit) {
    this(store::subscribe, HEARTBEAT, limit);
  }

  /**
   * Streams told of changes by {@code subscribe} (which returns what ends the subscription), with a
   * blank line on a JSON stream after {@code heartbeat} without one.
   */
  DtabWatches(Function<Consumer<StoreEvent>, AutoCloseable> subscribe, Duration heartbeat) {
    this(subscribe, heartbeat, MAX_STREAMS);
  }

  /** As above, with at most {@code limit} streams open at once. */
  DtabWatches(Function<Consumer<StoreEvent>, AutoCloseable> subscribe, Duration heartbeat, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the watch stream limit must be at least 1, not " + limit);
    }
    this.subscribe = subscribe;
    this.heartbeat = heartbeat;
    this.limit = limit;
  }

  /** How many streams may be open at once. */
  int limit() {
    return limit;
  }

  /** Open streams, for tests and the curious. */
  int open() {
    return streams.get();
  }

  /**
   * One line to write, and what makes it new: a line whose key equals the last one's is dropped. A
   * line that {@code ends} the stream is written and the stream closed (namerd ends a watch that fails
   * with a line saying why).
   */
  record Line(String key, String text, boolean ends) {
    Line(String key, String text) {
      this(key, text, false);
    }
  }

  /**
   * Streams a value derived from the store: {@code render} is called first with null and then with
   * every change, and its line is written unless its key repeats the last one written. An empty
   * answer writes nothing.
   */
  void stream(Context ctx, String contentType, Function<StoreEvent, Optional<Line>> render)
      throws IOException {
    stream(ctx, contentType, render, null);
  }

  /**
   * Streams a value that also changes without the store knowing (a namer's endpoints, as files
   * change): as {@link #stream(Context, String, Function)}, and besides {@code render} is called
   * with null again after every {@code recheck} without a change.
   */
  void stream(
      Context ctx, String contentType, Function<StoreEvent, Optional<Line>> render, Duration recheck)
      throws IOException {
    if (streams.incrementAndGet() > limit) {
      streams.decrementAndGet();
      throw new ApiError(
          503,
          "too many watch streams are open (" + limit + "); try again later",
          java.util.Map.of("Retry-After", "5"));
    }
    BlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();
    open.add(events);
    try (AutoCloseable ignored = subscribe.apply(events::add)) {
      ctx.status(200);
      ctx.res().setContentType(contentType);
      ctx.res().setHeader("Cache-Control", "no-cache");
      OutputStream out = ctx.res().getOutputStream();
      boolean beats = contentType.startsWith(DtabBodies.JSON);
      String last = null;
      long wrote = System.nanoTime();
      StoreEvent event = null;
      boolean timedOut = false;
      while (true) {
        if (!(timedOut && recheck == null)) {
          Optional<Line> line = render.apply(event);
          if (line.isPresent() && !line.get().key().equals(last)) {
            out.write((line.get().text() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            last = line.get().key();
            wrote = System.nanoTime();
            if (line.get().ends()) {
              return;
            }
          } else if (last == null) {
            // commit the headers at once, so the client knows the stream is open
            out.flush();
          }
        }
        if (beats && System.nanoTime() - wrote >= heartbeat.toNanos()) {
          out.write('\n');
          out.flush();
          wrote = System.nanoTime();
        }
        long wait = nextWait(beats, recheck, wrote);
        event = wait < 0 ? events.take() : events.poll(wait, TimeUnit.MILLISECONDS);
        timedOut = event == null;
        if (event == STOP) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client went away; nothing to tell anyone
    } catch (Exception e) {
      throw new IOException("watch stream failed", e);
    } finally {
      open.remove(events);
      streams.decrementAndGet();
    }
  }

  /**
   * How long a stream waits for its next event, in milliseconds (-1: for ever): until its next recheck
   * or, on a JSON stream, until its heartbeat is due, whichever is sooner. Counted from the last write,
   * not from the last event: an event that writes nothing (another namespace's commit) must not put
   * the heartbeat off, or a follower that gives a silent stream up after 45 s would give up a healthy
   * one whose heartbeat came 30 s after such an event.
   */
  private long nextWait(boolean beats, Duration recheck, long wroteNanos) {
    long wait = recheck == null ? -1 : recheck.toMillis();
    if (beats) {
      long untilBeat = TimeUnit.NANOSECONDS.toMillis(heartbeat.toNanos() - (System.nanoTime() - wroteNanos));
      wait = Math.max(1, wait < 0 ? untilBeat : Math.min(wait, untilBeat));
    }
    return wait;
  }

  /** Ends every open stream (the server is stopping). */
  void closeAll() {
    for (BlockingQueue<StoreEvent> q : open) {
      q.add(STOP);
    }
  }
}
