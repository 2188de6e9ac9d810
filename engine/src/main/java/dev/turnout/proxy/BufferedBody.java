package dev.turnout.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.xnio.channels.StreamSourceChannel;

/**
 * A request body small enough to hold, read whole before the request is first sent, so that every
 * attempt and a mirrored copy can send the very same bytes.
 *
 * <p>A body qualifies when the caller declares its size in a single {@code Content-Length} of at most
 * {@link #LIMIT} bytes and sends no {@code Transfer-Encoding}. Any other body (chunked, or declared larger)
 * is streamed once from the caller to the backend and never held, so a large upload costs a buffer, not
 * its size. For example a {@code PUT /users/7} with a 300-byte JSON body that gets a 503 under
 * {@code io.l5d.http.retryableIdempotent5XX} is sent again with the same 300 bytes and the same
 * {@code Content-Length}; a chunked upload that gets a 503 is answered with that 503.
 *
 * <p>The body is read on the exchange's IO thread without blocking. Whoever waits for it (the forwarded
 * request first, then a mirrored copy) is called on that same thread, so nothing here is locked. A
 * caller whose body ends short (it closes or resets the connection) fails the read, at a point where
 * nothing has gone upstream yet. One instance per exchange, kept as an attachment of the exchange.
 */
final class BufferedBody {
  /**
   * The largest declared body, in bytes (64 KiB), that is read whole. It covers the JSON and form posts
   * that are worth retrying and mirroring while keeping memory bounded (see also {@link
   * #MAX_HELD_BYTES}). A larger body is streamed, and so neither retried nor mirrored.
   */
  static final int LIMIT = 64 * 1024;

  /**
   * At most this many bytes are held at once by the whole process; a body that would go beyond streams
   * instead, so callers that declare bodies and then stall cannot fill the heap.
   */
  static final long MAX_HELD_BYTES = 32L * 1024 * 1024;

  private static final java.util.concurrent.atomic.AtomicLong HELD = new java.util.concurrent.atomic.AtomicLong();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BufferedBody.class);
  private static final AttachmentKey<BufferedBody> KEY = AttachmentKey.create(BufferedBody.class);

  private record Waiter(Consumer<byte[]> onBody, Runnable onFailure) {}

  private final HttpServerExchange exchange;
  private final byte[] bytes;
  private final ByteBuffer into;
  private List<Waiter> waiters = new ArrayList<>(1);
  private StreamSourceChannel channel;
  private Consumer<byte[]> onBody;
  private Consumer<String> onFailure;
  private boolean started;
  private boolean over;

  private BufferedBody(HttpServerExchange exchange, int length) {
    this.exchange = exchange;
    this.bytes = new byte[length];
    this.into = ByteBuffer.wrap(bytes);
    exchange.addExchangeCompleteListener(
        (ex, next) -> {
          HELD.addAndGet(-length);
          abandon();
          next.proceed();
        });
  }

  /**
   * The exchange's body to hold, when it qualifies (see the class comment); the same instance on every
   * call for one exchange.
   */
  static Optional<BufferedBody> of(HttpServerExchange exchange) {
    BufferedBody known = exchange.getAttachment(KEY);
    if (known != null) {
      return Optional.of(known);
    }
    int length = declaredLength(exchange);
    if (length <= 0) {
      return Optional.empty();
    }
    if (HELD.addAndGet(length) > MAX_HELD_BYTES) {
      HELD.addAndGet(-length);
      return Optional.empty();
    }
    BufferedBody body = new BufferedBody(exchange, length);
    exchange.putAttachment(KEY, body);
    return Optional.of(body);
  }

  /** The single declared Content-Length when it is within 1..LIMIT and nothing is chunked, else -1. */
  static int declaredLength(HttpServerExchange exchange) {
    if (exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING)) {
      return -1;
    }
    HeaderValues values = exchange.getRequestHeaders().get(Headers.CONTENT_LENGTH);
    if (values == null || values.size() != 1) {
      return -1;
    }
    String text = values.getFirst();
    if (text.isEmpty() || text.length() > 6) {
      return -1;
    }
    int length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      length = length * 10 + (c - '0');
    }
    return length <= LIMIT ? length : -1;
  }

  /**
   * Also tells {@code onBody} the bytes once the whole body is read, or runs {@code onFailure} when it
   * never is (the caller ended it short, or the exchange ended first). Called after {@link #read}'s own
   * callback. Must run on the exchange's IO thread.
   */
  void whenRead(Consumer<byte[]> onBody, Runnable onFailure) {
    if (over) {
      if (waiters == null) {
        onBody.accept(bytes);
      } else {
        onFailure.run();
      }
      return;
    }
    waiters.add(new Waiter(onBody, onFailure));
  }

  /**
   * Starts reading the body (once; later calls do nothing). {@code onBody} gets the bytes, or {@code
   * onFailure} a message saying why they did not all come. Must run on the exchange's IO thread, outside
   * its handler call (from a dispatched task), since reading may wait for the caller.
   */
  void read(Consumer<byte[]> onBody, Consumer<String> onFailure) {
    if (started) {
      return;
    }
    started = true;
    this.onBody = onBody;
    this.onFailure = onFailure;
    channel = exchange.getRequestChannel();
    if (channel == null) {
      failed("the request body was already consumed");
      return;
    }
    channel.getReadSetter().set(c -> readAvailable());
    readAvailable();
  }

  private void readAvailable() {
    if (over) {
      return;
    }
    try {
      while (true) {
        // Once the array is full this read takes nothing but sees the end of the body (-1), which is
        // what ends the request side of the exchange: without it the exchange would never complete.
        int n = channel.read(into);
        if (n < 0) {
          if (into.hasRemaining()) {
            failed(shortBy(""));
            return;
          }
          break;
        }
        if (n == 0) {
          if (!into.hasRemaining()) {
            break;
          }
          channel.resumeReads();
          return;
        }
      }
    } catch (IOException e) {
      failed(shortBy(": " + e.getMessage()));
      return;
    }
    stopReading();
    List<Waiter> toTell = waiters;
    // null marks success for a waiter that comes later; swapped out first, so a callback that ends the
    // exchange (and so runs abandon) cannot tell anyone twice
    waiters = null;
    tell(() -> onBody.accept(bytes));
    for (Waiter w : toTell) {
      tell(() -> w.onBody().accept(bytes));
    }
  }

  /** Runs one listener; a failing one is logged and the others are still told. */
  private static void tell(Runnable listener) {
    try {
      listener.run();
    } catch (RuntimeException e) {
      log.error("a listener of a held request body failed", e);
    }
  }

  private String shortBy(String detail) {
    return "the request body ended after " + into.position() + " of the " + bytes.length
        + " bytes its Content-Length declared" + detail;
  }

  private void failed(String why) {
    if (channel != null) {
      stopReading();
    }
    over = true;
    List<Waiter> toTell = waiters;
    waiters = List.of();
    onFailure.accept(why);
    toTell.forEach(w -> w.onFailure().run());
  }

  private void stopReading() {
    over = true;
    channel.suspendReads();
    channel.getReadSetter().set(null);
  }

  /** The exchange ended before the body was read (a timeout, say): the other waiters learn it now. */
  private void abandon() {
    if (over) {
      return;
    }
    over = true;
    List<Waiter> toTell = waiters;
    waiters = List.of();
    toTell.forEach(w -> w.onFailure().run());
  }
}
