package dev.turnout.proxy.upstream;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A copy of what a streamed HTTP/2 request body (a gRPC call's messages) has read from the caller so
 * far, kept until the backend's answer head comes, so that a stream the backend never processed
 * ({@code RST_STREAM REFUSED_STREAM}, or beyond a {@code GOAWAY}'s last stream) can be sent again to
 * another endpoint: the copy first, then the rest of the caller's body as it comes. The body is never
 * delayed for it: bytes go upstream as they are read, and the copy is made on the way.
 *
 * <p>Bounded: at most {@link #LIMIT} bytes a request (the whole of most unary gRPC calls and the first
 * messages of a stream), and at most {@link #MAX_HELD_BYTES} for the whole process; past either the copy
 * is dropped and the request can no longer be sent again ({@link #replayable()} false). Touched by the
 * exchange's IO thread only.
 */
public final class ReplayPrefix implements java.util.function.Consumer<ByteBuffer> {
  /** The most a request keeps: 64 KiB, as for a held HTTP/1.1 body. */
  public static final int LIMIT = 64 * 1024;

  /** The most every request together keeps: 32 MiB. */
  static final long MAX_HELD_BYTES = 32L * 1024 * 1024;

  private static final AtomicLong HELD = new AtomicLong();

  private byte[] bytes = new byte[0];
  private int size;
  /** The copy was dropped for its size. */
  private boolean dropped;
  /** The copy was let go, no longer needed. */
  private boolean released;
  private boolean ended;
  /** The caller's body, once an attempt has begun to read it (Undertow hands it out once). */
  private org.xnio.channels.StreamSourceChannel source;

  /**
   * The caller's body channel: taken from the exchange by the first attempt, the same for the next;
   * null when the body had ended before.
   */
  org.xnio.channels.StreamSourceChannel source(io.undertow.server.HttpServerExchange exchange) {
    if (source == null && !exchange.isRequestComplete()) {
      source = exchange.getRequestChannel();
    }
    return source;
  }

  /** An attempt has begun to send the body: the next one replays what it read first. */
  boolean started() {
    return source != null || ended;
  }

  /** Keeps a copy of {@code read} (not moving its position), or drops the copy past the bounds. */
  @Override
  public void accept(ByteBuffer read) {
    if (dropped || released) {
      return;
    }
    int n = read.remaining();
    if (size + n > LIMIT || HELD.addAndGet(n) > MAX_HELD_BYTES) {
      if (size + n <= LIMIT) {
        HELD.addAndGet(-n);
      }
      drop();
      return;
    }
    if (size + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.min(LIMIT, Math.max(size + n, Math.max(1024, bytes.length * 2))));
    }
    read.duplicate().get(bytes, size, n);
    size += n;
  }

  /** The caller's body has ended: the copy is all of it. */
  void ended() {
    ended = true;
  }

  boolean isEnded() {
    return ended;
  }

  /** What was read so far, when the request can still be sent again. */
  byte[] bytes() {
    return Arrays.copyOf(bytes, size);
  }

  /** True while every byte read from the caller is in the copy. */
  public boolean replayable() {
    return !dropped && !released;
  }

  /** Whether the copy was dropped for its size (rather than kept, or never needed). */
  public boolean tooLarge() {
    return dropped;
  }

  /** No more replay (the answer's head came, or the request ended): the copy is let go. */
  public void release() {
    if (!released) {
      free();
      released = true;
    }
  }

  private void drop() {
    free();
    dropped = true;
  }

  private void free() {
    HELD.addAndGet(-size);
    size = 0;
    bytes = new byte[0];
  }
}
