package dev.turnout.proxy;

import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientProvider;
import io.undertow.client.http.HttpClientProvider;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Set;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.ssl.XnioSsl;

/**
 * Plain HTTP/1.1 client connections for the endpoint pools, which close a connection that is made only
 * after the request it was opened for has ended.
 *
 * <p>A connection attempt cannot be called back once started. When an attempt is given up (the connect
 * timeout, the request timeout, the caller leaving) and the host accepts later, Undertow's pool hands
 * the new connection to the ended exchange, which refuses it with an exception; the connection then
 * stays open, outside the pool and counted against its limit, until the backend closes it. Here such a
 * connection is closed instead and reported to the pool as a failed attempt, which it counts back.
 *
 * <p>The pools reach this provider through the {@value #SCHEME} scheme (registered with {@link
 * java.util.ServiceLoader}, as Undertow finds its own); {@link #openingFor} names the exchange a
 * connection is opened for, on the IO thread that opens it.
 */
public final class LateConnections implements ClientProvider {
  static final String SCHEME = "turnout-http";

  private static final ThreadLocal<HttpServerExchange> OPENING_FOR = new ThreadLocal<>();
  private final HttpClientProvider http = new HttpClientProvider();

  /**
   * Names the exchange that connections opened next on this thread are for; {@code null} when the
   * call to the pool is over.
   */
  static void openingFor(HttpServerExchange exchange) {
    OPENING_FOR.set(exchange);
  }

  @Override
  public Set<String> handlesSchemes() {
    return Set.of(SCHEME);
  }

  @Override
  public void connect(
      ClientCallback<ClientConnection> listener,
      URI uri,
      XnioWorker worker,
      XnioSsl ssl,
      ByteBufferPool bufferPool,
      OptionMap options) {
    connect(listener, null, uri, worker, ssl, bufferPool, options);
  }

  @Override
  public void connect(
      ClientCallback<ClientConnection> listener,
      InetSocketAddress bindAddress,
      URI uri,
      XnioWorker worker,
      XnioSsl ssl,
      ByteBufferPool bufferPool,
      OptionMap options) {
    http.connect(guard(listener, uri), bindAddress, plain(uri), worker, ssl, bufferPool, options);
  }

  @Override
  public void connect(
      ClientCallback<ClientConnection> listener,
      URI uri,
      XnioIoThread ioThread,
      XnioSsl ssl,
      ByteBufferPool bufferPool,
      OptionMap options) {
    connect(listener, null, uri, ioThread, ssl, bufferPool, options);
  }

  @Override
  public void connect(
      ClientCallback<ClientConnection> listener,
      InetSocketAddress bindAddress,
      URI uri,
      XnioIoThread ioThread,
      XnioSsl ssl,
      ByteBufferPool bufferPool,
      OptionMap options) {
    http.connect(guard(listener, uri), bindAddress, plain(uri), ioThread, ssl, bufferPool, options);
  }

  private static ClientCallback<ClientConnection> guard(ClientCallback<ClientConnection> pool, URI uri) {
    HttpServerExchange owner = OPENING_FOR.get();
    return new ClientCallback<>() {
      @Override
      public void completed(ClientConnection connection) {
        // Runs on the exchange's own IO thread, so the exchange cannot end between this check and
        // the pool taking the connection.
        if (owner != null && owner.isComplete()) {
          IoUtils.safeClose(connection);
          pool.failed(new IOException("connected to " + uri.getAuthority() + " after the request had ended"));
          return;
        }
        pool.completed(connection);
      }

      @Override
      public void failed(IOException e) {
        pool.failed(e);
      }
    };
  }

  private static URI plain(URI uri) {
    return URI.create("http://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath()));
  }
}
