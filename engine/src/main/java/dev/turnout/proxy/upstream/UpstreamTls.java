package dev.turnout.proxy.upstream;

import dev.turnout.tls.ClientTls;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.BoundChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.ssl.SslConnection;
import org.xnio.ssl.XnioSsl;

/**
 * The TLS of one pool's connections: a TCP connection, once open, is wrapped in Undertow's TLS conduit
 * and its handshake driven to the end before the pool hands it out, so a handshake that fails (an
 * untrusted chain, a certificate for another name, a refused client certificate) is a connection that
 * could not be made, never a request that broke, and nothing is ever sent before the peer is checked.
 * The peer is checked against the client's {@code commonName} whatever address was dialled, and the
 * {@code commonName} goes as SNI. Trust and client-certificate rotation happen inside {@link
 * ClientTls}'s context, so the one context here serves for the pool's life.
 */
final class UpstreamTls {
  private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);
  /**
   * A peer that takes the connection and never finishes the handshake is given up on after this long,
   * so that it does not hold a pool slot for ever; the request itself has its connect timeout.
   */
  static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private final UndertowXnioSsl ssl;
  private final SSLParameters parameters;
  private final ClientTls tls;

  UpstreamTls(ClientTls tls) {
    this.tls = tls;
    this.ssl = new UndertowXnioSsl(Xnio.getInstance(), OptionMap.EMPTY, tls.context());
    this.parameters = tls.parameters();
  }

  /**
   * Wraps {@code tcp} and runs the handshake on its IO thread: {@code done} gets the TLS connection once
   * the peer is checked, or {@code failed} an exception naming TLS and the reason, the connection
   * closed. Exactly one of them is called.
   */
  void handshake(StreamConnection tcp, Consumer<SslConnection> done, Consumer<IOException> failed) {
    SslConnection c = ssl.wrapExistingConnection(tcp, OptionMap.EMPTY);
    new Handshake(c, done, failed).start();
  }

  /** One connection's handshake: reads and writes of nothing push it on until it finishes or fails. */
  private final class Handshake {
    private final SslConnection connection;
    private final ConduitStreamSourceChannel source;
    private final ConduitStreamSinkChannel sink;
    private final Consumer<SslConnection> done;
    private final Consumer<IOException> failed;
    private boolean over;
    private XnioExecutor.Key timer;

    Handshake(SslConnection connection, Consumer<SslConnection> done, Consumer<IOException> failed) {
      this.connection = connection;
      this.source = connection.getSourceChannel();
      this.sink = connection.getSinkChannel();
      this.done = done;
      this.failed = failed;
    }

    void start() {
      UndertowXnioSsl.getSslEngine(connection).setSSLParameters(parameters);
      connection.getHandshakeSetter().set(c -> finished());
      timer = connection.getIoThread().executeAfter(
          () -> fail(new SSLException("no handshake within " + HANDSHAKE_TIMEOUT_MILLIS + " ms")),
          HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      source.getReadSetter().set(c -> step());
      sink.getWriteSetter().set(c -> step());
      // The conduit closes the connection itself when a step it runs on its own fails.
      connection.setCloseListener(c -> fail(new ClosedChannelException()));
      try {
        connection.startHandshake();
      } catch (IOException e) {
        fail(e);
        return;
      }
      step();
    }

    private void step() {
      if (over) {
        return;
      }
      try {
        // Neither call moves application bytes: the conduit wraps and unwraps handshake records.
        sink.write(NOTHING.duplicate());
        if (over) {
          return;
        }
        if (source.read(NOTHING.duplicate()) == -1) {
          throw new EOFException("the peer closed the connection during the handshake");
        }
        if (!over) {
          source.resumeReads();
          if (!sink.flush()) {
            sink.resumeWrites();
          } else {
            sink.suspendWrites();
          }
        }
      } catch (IOException e) {
        fail(e);
      }
    }

    private void finished() {
      if (over) {
        return;
      }
      over = true;
      timer.remove();
      source.suspendReads();
      sink.suspendWrites();
      source.getReadSetter().set(null);
      sink.getWriteSetter().set(null);
      connection.getHandshakeSetter().set(null);
      // The close listener stays: XNIO merges close listeners rather than replacing them, and after the
      // handshake this one does nothing (the handshake is over).
      // The conduit calls this from inside its own unwrap or wrap, before it has put its buffers and
      // flags in order; a request written from here re-entered it and broke the record stream ("Tag
      // mismatch", a null buffer) whenever the handshake ended on a read: every TLS 1.2 handshake and
      // every one against OpenSSL servers such as nginx. So the connection is handed over afterwards.
      connection.getIoThread().execute(() -> done.accept(connection));
    }

    private void fail(IOException e) {
      if (over) {
        return;
      }
      over = true;
      if (timer != null) {
        timer.remove();
      }
      SSLEngine engine = UndertowXnioSsl.getSslEngine(connection);
      IoUtils.safeClose(connection);
      String why =
          tls.refusal(engine)
              .orElseGet(() -> e instanceof ClosedChannelException
                  ? "the connection was closed during the handshake (the peer may refuse this client's"
                      + " certificate, protocols or name)"
                  : reason(e));
      failed.accept(new SSLException("TLS handshake failed: " + why, e));
    }
  }

  /**
   * The same TLS for Undertow's client (streamed bodies, upgrades): its connections get this pool's
   * parameters (protocols, SNI) before their handshake begins, which Undertow would otherwise begin at
   * once with the dialled address as the only name.
   */
  static XnioSsl forUndertow(ClientTls tls) {
    return forUndertow(tls, new String[0]);
  }

  /**
   * As above, offering {@code alpn} (the h2 client's {@code h2}) in the handshake, which begins here
   * before Undertow's own ALPN selector could name them.
   */
  static XnioSsl forUndertow(ClientTls tls, String... alpn) {
    SSLParameters parameters = tls.parameters();
    if (alpn.length > 0) {
      parameters.setApplicationProtocols(alpn);
    }
    return new UndertowXnioSsl(Xnio.getInstance(), OptionMap.EMPTY, tls.context()) {
      @Override
      public IoFuture<SslConnection> openSslConnection(
          XnioIoThread thread, InetSocketAddress bind, InetSocketAddress to,
          ChannelListener<? super SslConnection> opened, ChannelListener<? super BoundChannel> bound,
          OptionMap options) {
        return super.openSslConnection(thread, bind, to, configured(opened), bound, deferred(options));
      }

      @Override
      public IoFuture<SslConnection> openSslConnection(
          XnioWorker worker, InetSocketAddress bind, InetSocketAddress to,
          ChannelListener<? super SslConnection> opened, ChannelListener<? super BoundChannel> bound,
          OptionMap options) {
        return super.openSslConnection(worker, bind, to, configured(opened), bound, deferred(options));
      }

      /** The handshake waits for {@link #configured}: the engine's first message carries the SNI. */
      private OptionMap deferred(OptionMap options) {
        return OptionMap.builder().addAll(options).set(Options.SSL_STARTTLS, true).getMap();
      }

      private ChannelListener<SslConnection> configured(ChannelListener<? super SslConnection> opened) {
        return c -> {
          UndertowXnioSsl.getSslEngine(c).setSSLParameters(parameters);
          try {
            c.startHandshake();
          } catch (IOException e) {
            IoUtils.safeClose(c);
            return;
          }
          if (opened != null) {
            ChannelListeners.invokeChannelListener(c, opened);
          }
        };
      }
    };
  }

  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() != null ? root.getMessage() : e.getMessage();
    return m != null ? m : e.getClass().getSimpleName();
  }
}
