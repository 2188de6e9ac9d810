package dev.turnout.proxy.upstream;

import io.undertow.UndertowOptions;
import io.undertow.client.ALPNClientSelector;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.http.HttpClientProvider;
import io.undertow.client.http2.Http2ClientConnection;
import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.protocols.http2.AbstractHttp2StreamSourceChannel;
import io.undertow.protocols.http2.Http2Channel;
import io.undertow.protocols.http2.Http2GoAwayParser;
import io.undertow.protocols.http2.Http2GoAwayStreamSourceChannel;
import io.undertow.protocols.http2.Http2RstStreamStreamSourceChannel;
import io.undertow.protocols.http2.Http2SettingsStreamSourceChannel;
import io.undertow.server.protocol.framed.FrameHeaderData;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.ssl.SslConnection;
import org.xnio.ssl.XnioSsl;

/**
 * Opens HTTP/2 connections to backends as Undertow's own client providers do (prior knowledge, {@code
 * h2c}, in plaintext; ALPN {@code h2} over TLS), but over a {@link QuietPingChannel}.
 *
 * <p>Why: Undertow's HTTP/2 client (2.3.x) answers a peer's {@code PING} twice. Its channel
 * acknowledges the frame (as RFC 9113 section 6.7 asks), and then its client connection sends the same
 * payload back as a <em>new</em> {@code PING} of its own. grpc-java servers send a {@code PING} at every
 * round of their BDP flow control (while a large message arrives) and count each unasked {@code PING}
 * from a client as a keepalive "strike": after two they close the connection with {@code GOAWAY
 * ENHANCE_YOUR_CALM "too_many_pings"}, every stream on it failing. That was the failure of messages
 * from about 1 MiB up. The channel here drops that second, unasked {@code PING}: its only caller is the
 * client connection's echo, and the acknowledgement the channel sent already answered the peer.
 */
final class H2Connect {
  private H2Connect() {}

  /** Connects to {@code uri}'s host and port from {@code thread}; the connection or failure goes to {@code callback}. */
  static void plaintext(
      URI uri, XnioIoThread thread, ByteBufferPool pool, OptionMap options, ClientCallback<ClientConnection> callback) {
    InetSocketAddress to = new InetSocketAddress(uri.getHost(), uri.getPort() == -1 ? 80 : uri.getPort());
    thread
        .openStreamConnection(to, c -> opened(c, uri.getHost(), false, pool, options, callback), options)
        .addNotifier(
            (IoFuture<? extends StreamConnection> f, Object ignored) -> {
              if (f.getStatus() == IoFuture.Status.FAILED) {
                callback.failed(f.getException());
              }
            },
            null);
  }

  /**
   * Connects with TLS from {@code thread}, offering ALPN {@code h2} only, as Undertow's {@code https}
   * HTTP/2 provider does (endpoint identification as it sets it); a backend that does not agree to
   * {@code h2} is a failed connection.
   */
  static void tls(
      URI uri,
      XnioIoThread thread,
      XnioSsl ssl,
      ByteBufferPool pool,
      OptionMap options,
      ClientCallback<ClientConnection> callback) {
    InetSocketAddress to = new InetSocketAddress(uri.getHost(), uri.getPort() == -1 ? 443 : uri.getPort());
    OptionMap tlsOptions =
        OptionMap.builder()
            .set(
                UndertowOptions.ENDPOINT_IDENTIFICATION_ALGORITHM,
                HttpClientProvider.DISABLE_HTTPS_ENDPOINT_IDENTIFICATION ? "" : "HTTPS")
            .addAll(options)
            .set(Options.SSL_STARTTLS, true)
            .getMap();
    ssl.openSslConnection(
            thread,
            to,
            c -> ALPNClientSelector.runAlpn(
                (SslConnection) c,
                refused -> {
                  IoUtils.safeClose(refused);
                  callback.failed(new IOException("the backend did not agree to HTTP/2 by ALPN (it offered only HTTP/1.1)"));
                },
                callback,
                new ALPNClientSelector.ALPNProtocol(
                    agreed -> opened(agreed, uri.getHost(), true, pool, tlsOptions, callback), "h2")),
            tlsOptions)
        .addNotifier(
            (IoFuture<? extends StreamConnection> f, Object ignored) -> {
              if (f.getStatus() == IoFuture.Status.FAILED) {
                callback.failed(f.getException());
              }
            },
            null);
  }

  private static void opened(
      StreamConnection c,
      String host,
      boolean secure,
      ByteBufferPool pool,
      OptionMap options,
      ClientCallback<ClientConnection> callback) {
    ClientConnection conn;
    QuietPingChannel channel;
    try {
      // a client-side channel writes the preface and its SETTINGS itself
      channel = new QuietPingChannel(c, pool, options);
      conn = new Http2ClientConnection(channel, false, host, null, secure);
    } catch (RuntimeException e) {
      IoUtils.safeClose(c);
      callback.failed(new IOException(e));
      return;
    }
    if (callback instanceof Opened o) {
      o.opened(conn, channel);
    } else {
      callback.completed(conn);
    }
  }

  /** A callback that also gets the connection's channel, to read what {@link QuietPingChannel} saw. */
  interface Opened extends ClientCallback<ClientConnection> {
    void opened(ClientConnection conn, QuietPingChannel channel);

    @Override
    default void completed(ClientConnection conn) {
      throw new IllegalStateException("opened(conn, channel) is called instead");
    }
  }

  /**
   * An HTTP/2 client channel that does not send a peer's acknowledged {@code PING} back as a new one,
   * and that remembers what Undertow's client connection reads past: the error code of each {@code
   * RST_STREAM} the peer sent, its {@code GOAWAY}'s last stream id, and whether its first {@code
   * SETTINGS} (with its {@code SETTINGS_MAX_CONCURRENT_STREAMS}) has come.
   *
   * <p>Undertow resets a stream's channels inside its frame parsing, before the frame (with the code)
   * is handed on, and then fails the stream's exchange with a message only. So what failed a stream is
   * read here after the failure was reported: {@link H2Upstream} judges a failed stream in a task run
   * after the read that failed it, by which time {@link #createChannel} has returned and recorded the
   * frame. Everything here is touched by the connection's IO thread only.
   *
   * <p><b>A graceful {@code GOAWAY}</b> (RFC 9113 section 6.8) is taken here, before Undertow sees it:
   * Undertow would reset every open stream and close the connection, failing also the streams at or
   * below the frame's last stream id, which the backend has promised to finish (grpc-java's {@code
   * Server.shutdown()} does just that during every rolling deploy). Here the frame is only recorded
   * and reported ({@link #onGoAway}); the connection then counts as gone away ({@link
   * #isPeerGoneAway}, so it takes no new stream), its streams go on, and {@link H2Upstream} treats
   * those above the last id as refused and closes the connection when its last stream ends. A
   * connection no one drains (no {@link #onGoAway}) leaves the frame to Undertow. Undertow's
   * frame parser does not say a frame's type; it is read from its {@code parser} field, by reflection
   * (Undertow 2.3). Should that field not be there, Undertow handles {@code GOAWAY} as before and a
   * warning says so.
   */
  static final class QuietPingChannel extends Http2Channel {
    /** No {@code GOAWAY} has come. */
    static final int NO_GOAWAY = Integer.MAX_VALUE;
    /** How many resets' codes are kept; a code is read once, soon after its frame came. */
    private static final int KEPT_RESETS = 256;

    private final java.util.LinkedHashMap<Integer, Integer> resets =
        new java.util.LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(java.util.Map.Entry<Integer, Integer> eldest) {
            return size() > KEPT_RESETS;
          }
        };
    private int goAwayLastStream = NO_GOAWAY;
    private int goAwayCode;
    private boolean settingsSeen;
    private Runnable onSettings;
    private boolean goneAway;
    private Runnable onGoAway;

    QuietPingChannel(StreamConnection c, ByteBufferPool pool, OptionMap options) {
      super(c, null, pool, null, true, false, options);
    }

    @Override
    protected AbstractHttp2StreamSourceChannel createChannel(FrameHeaderData header, PooledByteBuffer data)
        throws IOException {
      // only when an owner drains the connection (H2Upstream); other users keep Undertow's handling
      Http2GoAwayParser goAway = onGoAway != null ? GoAwayFrames.parser(header) : null;
      if (goAway != null) {
        // recorded, not handed on: Undertow would fail every stream (the caller frees the frame's data)
        goAwayLastStream = Math.min(goAwayLastStream, goAway.getLastGoodStreamId());
        goAwayCode = goAway.getStatusCode();
        goneAway = true;
        Runnable r = onGoAway;
        if (r != null) {
          H2Upstream.later(getIoThread(), r);
        }
        return null;
      }
      AbstractHttp2StreamSourceChannel frame = super.createChannel(header, data);
      if (frame instanceof Http2RstStreamStreamSourceChannel rst) {
        resets.put(rst.getStreamId(), rst.getErrorCode());
      } else if (frame instanceof Http2GoAwayStreamSourceChannel away) {
        goAwayLastStream = Math.min(goAwayLastStream, away.getLastGoodStreamId());
        goAwayCode = away.getStatus();
      } else if (frame instanceof Http2SettingsStreamSourceChannel && !settingsSeen) {
        settingsSeen = true;
        Runnable r = onSettings;
        onSettings = null;
        if (r != null) {
          // not from inside the frame parsing: what it starts (new streams) runs after this read
          H2Upstream.later(getIoThread(), r);
        }
      }
      return frame;
    }

    /** The code of the peer's {@code RST_STREAM} on {@code streamId}, once (-1 when none came). */
    int takeReset(int streamId) {
      Integer code = resets.remove(streamId);
      return code == null ? -1 : code;
    }

    /** The last stream id of the peer's {@code GOAWAY}, or {@link #NO_GOAWAY}. */
    int goAwayLastStream() {
      return goAwayLastStream;
    }

    int goAwayCode() {
      return goAwayCode;
    }

    /** Runs {@code r} (on the IO thread) once the peer's first {@code SETTINGS} has come, or now if it has. */
    void whenSettled(Runnable r) {
      if (settingsSeen) {
        r.run();
      } else {
        onSettings = r;
      }
    }

    boolean settled() {
      return settingsSeen;
    }

    /**
     * Runs {@code r} (on the IO thread, after the read) each time a {@code GOAWAY} of the peer comes,
     * which Undertow then never sees: {@code r} must refuse the streams above the last stream id and
     * close the connection when the others have ended. Without it, Undertow handles the frame.
     */
    void onGoAway(Runnable r) {
      onGoAway = r;
    }

    /** Also true once a {@code GOAWAY} was taken here: Undertow's client connection then opens no stream. */
    @Override
    public boolean isPeerGoneAway() {
      return goneAway || super.isPeerGoneAway();
    }

    /**
     * Undertow's client connection calls this (and only this overload) to echo a peer's {@code PING}
     * that the channel has already acknowledged; sending it would be an unasked {@code PING}. Pings of
     * our own go through {@link #sendPing(byte[], org.xnio.ChannelExceptionHandler)}, which is kept.
     */
    @Override
    public void sendPing(byte[] data) {}
  }

  /** Tells a {@code GOAWAY} frame from Undertow's frame parser, by its one field that says so. */
  static final class GoAwayFrames {
    private static final Logger LOG = LoggerFactory.getLogger(H2Connect.class);
    private static final Field PARSER = parserField();

    private GoAwayFrames() {}

    private static Field parserField() {
      try {
        Field f = Class.forName("io.undertow.protocols.http2.Http2FrameHeaderParser").getDeclaredField("parser");
        f.setAccessible(true);
        return f;
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn("h2 client: a backend's GOAWAY will fail all the streams open to it, also those it would finish"
            + " (Undertow's frame parser has no field 'parser': {})", e.toString());
        return null;
      }
    }

    /** Whether GOAWAY frames are taken from Undertow (false: it fails every open stream on one). */
    static boolean intercepted() {
      return PARSER != null;
    }

    /** The parsed {@code GOAWAY} frame {@code header} heads, or null for another frame (or when unknown). */
    static Http2GoAwayParser parser(FrameHeaderData header) {
      if (PARSER == null || header == null || !PARSER.getDeclaringClass().isInstance(header)) {
        return null;
      }
      try {
        return PARSER.get(header) instanceof Http2GoAwayParser p ? p : null;
      } catch (IllegalAccessException e) {
        return null;
      }
    }
  }
}
