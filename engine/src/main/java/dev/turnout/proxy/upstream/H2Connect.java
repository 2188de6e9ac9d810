package dev.turnout.proxy.upstream;

import io.undertow.UndertowOptions;
import io.undertow.client.ALPNClientSelector;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.http.HttpClientProvider;
import io.undertow.client.http2.Http2ClientConnection;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.http2.Http2Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
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
    try {
      // a client-side channel writes the preface and its SETTINGS itself
      conn = new Http2ClientConnection(new QuietPingChannel(c, pool, options), false, host, null, secure);
    } catch (RuntimeException e) {
      IoUtils.safeClose(c);
      callback.failed(new IOException(e));
      return;
    }
    callback.completed(conn);
  }

  /** An HTTP/2 client channel that does not send a peer's acknowledged {@code PING} back as a new one. */
  static final class QuietPingChannel extends Http2Channel {
    QuietPingChannel(StreamConnection c, ByteBufferPool pool, OptionMap options) {
      super(c, null, pool, null, true, false, options);
    }

    /**
     * Undertow's client connection calls this (and only this overload) to echo a peer's {@code PING}
     * that the channel has already acknowledged; sending it would be an unasked {@code PING}. Pings of
     * our own go through {@link #sendPing(byte[], org.xnio.ChannelExceptionHandler)}, which is kept.
     */
    @Override
    public void sendPing(byte[] data) {}
  }
}
