package dev.turnout.proxy;

import io.undertow.protocols.http2.Http2Channel;
import io.undertow.protocols.http2.Http2StreamSourceChannel;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http2.Http2ServerConnection;
import io.undertow.util.AttachmentKey;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.Optional;
import org.slf4j.Logger;
import org.xnio.channels.Channels;
import org.slf4j.LoggerFactory;

/**
 * Two rules of RFC 9113 for an h2 router server's streams that Undertow's HTTP/2 server leaves out:
 *
 * <ul>
 *   <li>A stream past the {@code SETTINGS_MAX_CONCURRENT_STREAMS} the server announced ({@code
 *       maxConcurrentStreamsPerConnection}) is refused, {@code RST_STREAM REFUSED_STREAM} (section
 *       5.1.2), which tells the caller it was not processed and may be retried. Undertow announces the
 *       limit but serves every stream.
 *   <li>An answer the router gives before the caller's request has ended (a request timeout while the
 *       caller still holds its stream open without sending, a refusal, an unroutable call) goes out
 *       whole, and then the stream is reset with {@code NO_ERROR} (section 8.1), so the caller stops
 *       sending. Undertow would hold such an answer back until the caller ended its request, which a
 *       caller that never sends never does: the stream, and the answer, stayed open for as long as the
 *       connection did.
 * </ul>
 *
 * <p>Both need the request's stream, which Undertow keeps in a private field of its HTTP/2 server
 * connection; it is read by reflection. Were the field renamed by an Undertow upgrade, both rules are
 * off, with a warning at start.
 */
final class H2Streams {
  private static final Logger log = LoggerFactory.getLogger(H2Streams.class);
  private static final Field REQUEST_CHANNEL = requestChannelField();
  /** Streams of one connection in this router's hands, kept on the connection (one IO thread). */
  private static final AttachmentKey<int[]> OPEN = AttachmentKey.create(int[].class);

  /** Set on an exchange whose request side was closed here before the caller ended it. */
  static final AttachmentKey<Boolean> CUT = AttachmentKey.create(Boolean.class);

  private final int maxConcurrentStreams;

  H2Streams(int maxConcurrentStreams) {
    this.maxConcurrentStreams = maxConcurrentStreams;
  }

  /**
   * Takes a new stream in: true when it is served, false when it was refused (reset, nothing more to
   * do). Runs first in the chain, on the exchange's IO thread.
   */
  boolean admit(HttpServerExchange exchange) {
    Optional<Http2StreamSourceChannel> stream = stream(exchange);
    if (stream.isEmpty()) {
      return true;
    }
    Http2StreamSourceChannel source = stream.get();
    Http2Channel connection = source.getResponseChannel().getChannel();
    int[] open = connection.getAttachment(OPEN);
    if (open == null) {
      open = new int[1];
      connection.putAttachment(OPEN, open);
    }
    if (open[0] >= maxConcurrentStreams) {
      connection.sendRstStream(source.getStreamId(), Http2Channel.ERROR_REFUSED_STREAM);
      exchange.setStatusCode(503);
      exchange.endExchange();
      return false;
    }
    open[0]++;
    int[] counted = open;
    exchange.addExchangeCompleteListener(
        (ex, next) -> {
          counted[0]--;
          next.proceed();
        });
    exchange.addDefaultResponseListener(
        ex -> {
          if (!ex.isRequestComplete() && stillSending(source)) {
            endsEarly(ex, source, connection);
          }
          return false;
        });
    return true;
  }

  /**
   * True when the caller has not ended its request: what it sent is read and dropped (as Undertow
   * would), and its END_STREAM is not there. A caller that ended its side gets no reset, which on a
   * closed stream would break RFC 9113 section 5.1.
   */
  private static boolean stillSending(Http2StreamSourceChannel source) {
    try {
      long n;
      do {
        n = Channels.drain(source, Long.MAX_VALUE);
      } while (n > 0);
      return n == 0;
    } catch (IOException e) {
      return false; // the stream broke: nothing to reset
    }
  }

  /**
   * The answer is ending before the request has: the request side is closed without a reset (so that
   * Undertow, finding it ended, sends the answer rather than waiting for the caller's body), and once
   * the exchange is over the stream is reset {@code NO_ERROR}.
   */
  private static void endsEarly(HttpServerExchange exchange, Http2StreamSourceChannel source, Http2Channel connection) {
    exchange.putAttachment(CUT, Boolean.TRUE);
    source.setIgnoreForceClose(true);
    source.close();
    int id = source.getStreamId();
    exchange.addExchangeCompleteListener(
        (ex, next) -> {
          try {
            connection.sendRstStream(id, Http2Channel.ERROR_NO_ERROR);
          } finally {
            next.proceed();
          }
        });
  }

  private static Optional<Http2StreamSourceChannel> stream(HttpServerExchange exchange) {
    if (REQUEST_CHANNEL == null || !(exchange.getConnection() instanceof Http2ServerConnection)) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable((Http2StreamSourceChannel) REQUEST_CHANNEL.get(exchange.getConnection()));
    } catch (IllegalAccessException | ClassCastException e) {
      return Optional.empty();
    }
  }

  private static Field requestChannelField() {
    try {
      Field f = Http2ServerConnection.class.getDeclaredField("requestChannel");
      if (!Http2StreamSourceChannel.class.isAssignableFrom(f.getType())) {
        throw new NoSuchFieldException("requestChannel is a " + f.getType());
      }
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException | RuntimeException e) {
      log.warn("this Undertow's HTTP/2 server connection has no requestChannel field ({}): h2 routers will "
          + "neither refuse streams past maxConcurrentStreamsPerConnection nor reset a stream answered before "
          + "its request ended", e.toString());
      return null;
    }
  }
}
