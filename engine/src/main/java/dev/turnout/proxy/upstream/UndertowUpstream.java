package dev.turnout.proxy.upstream;

import dev.turnout.routing.Endpoint;
import dev.turnout.tls.ClientTls;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.client.UndertowClient;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ConnectionPoolManager;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.server.handlers.proxy.ProxyConnectionPool;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.Channel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.xnio.Cancellable;
import org.xnio.ChannelExceptionHandler;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * Undertow's HTTP client behind its keep-alive {@link ProxyConnectionPool}s, one per endpoint {@code
 * host:port}, shared by every router of the process: it carries what Turnout's own client does not, a
 * request body streamed from the caller while it is sent, and a protocol upgrade (a {@link Tunnel}
 * once the backend answers 101). Its pools keep connections per IO thread, so an exchange always gets
 * one owned by its own thread. Whether an endpoint is healthy is Turnout's failure accrual's business,
 * not the pool's: the pool is told to treat every endpoint as available.
 *
 * <p>A connection that comes after its attempt gave up is not used: the pool has tied it to the
 * exchange and takes it back when the exchange ends, or at once if it has ended already (Undertow 2.3's
 * pool then keeps it for the next request).
 */
public final class UndertowUpstream implements UpstreamClient {
  private static final ConnectionPoolManager MANAGER =
      new ConnectionPoolManager() {
        @Override
        public int getProblemServerRetry() {
          return -1;
        }

        @Override
        public boolean isAvailable() {
          return true;
        }

        @Override
        public boolean handleError() {
          return true;
        }

        @Override
        public boolean clearError() {
          return true;
        }

        @Override
        public int getMaxConnections() {
          return 1024;
        }

        @Override
        public int getMaxCachedConnections() {
          return 1024;
        }

        @Override
        public int getSMaxConnections() {
          return 64;
        }

        @Override
        public long getTtl() {
          return 60_000;
        }

        @Override
        public int getMaxQueueSize() {
          return 4096;
        }
      };

  private final ConcurrentHashMap<String, ProxyConnectionPool> pools = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Secured, ProxyConnectionPool> secured = new ConcurrentHashMap<>();

  private record Secured(String endpoint, ClientTls tls) {}

  @Override
  public Cancellable start(Endpoint endpoint, long connectTimeoutMillis, UpstreamRequest request) {
    ProxyConnectionPool pool;
    try {
      pool = pool(endpoint);
    } catch (IllegalArgumentException notAnAddress) {
      request.unreachable(endpoint, notAnAddress.getMessage());
      return ANSWERED;
    }
    // Every connection the pool allows on this thread is busy: the request will wait in its queue.
    ProxyConnectionPool.AvailabilityType state = pool.available();
    boolean willQueue =
        state == ProxyConnectionPool.AvailabilityType.FULL
            || state == ProxyConnectionPool.AvailabilityType.FULL_QUEUE;
    Attempt waiting = new Attempt(endpoint, willQueue, connectTimeoutMillis, request);
    // The pool reads its wait only for a request it queues (behind its connection cap); it gives such a
    // request up itself at the connect timeout (its timer is set first, so it fires first) and then
    // forgets it; never later than the request's own end, after which a freed connection must not be
    // handed to it.
    long queueWait = willQueue ? request.queueWait(connectTimeoutMillis) : connectTimeoutMillis;
    HttpServerExchange exchange = request.exchange();
    pool.connect(null, exchange, waiting, queueWait, TimeUnit.MILLISECONDS, false);
    if (!waiting.settled) {
      waiting.timer =
          exchange.getIoThread().executeAfter(waiting::timedOut, connectTimeoutMillis, TimeUnit.MILLISECONDS);
    }
    return waiting;
  }

  private ProxyConnectionPool pool(Endpoint endpoint) {
    String key = endpoint.key();
    if (endpoint.tls().isPresent()) {
      return securedPool(endpoint);
    }
    ProxyConnectionPool p = pools.get(key);
    if (p != null) {
      return p;
    }
    return pools.computeIfAbsent(
        key,
        k -> new ProxyConnectionPool(MANAGER, UpstreamClient.uri(endpoint), UndertowClient.getInstance(), OPTIONS));
  }

  /** A pool of TLS connections, apart from the plaintext ones to the same address (see {@link Http1Client}). */
  private ProxyConnectionPool securedPool(Endpoint endpoint) {
    ClientTls tls = endpoint.tls().get();
    Secured k = new Secured(endpoint.key(), tls);
    ProxyConnectionPool p = secured.get(k);
    if (p != null) {
      return p;
    }
    URI plain = UpstreamClient.uri(endpoint);
    URI https = URI.create("https://" + plain.getRawAuthority());
    return secured.computeIfAbsent(
        k,
        x -> new ProxyConnectionPool(MANAGER, https, UpstreamTls.forUndertow(tls), UndertowClient.getInstance(), OPTIONS));
  }

  @Override
  public void close() {
    secured.values().forEach(ProxyConnectionPool::close);
    secured.clear();
    pools.values().forEach(ProxyConnectionPool::close);
    pools.clear();
  }

  /** One attempt's wait for a pooled connection, then the request sent on it. */
  private static final class Attempt extends ConnectWait implements ProxyCallback<ProxyConnection> {
    Attempt(Endpoint to, boolean queued, long timeoutMillis, UpstreamRequest request) {
      super(to, queued, timeoutMillis, request);
    }

    @Override
    public void completed(HttpServerExchange ex, ProxyConnection pooled) {
      try {
        if (settle()) {
          ClientConnection conn = pooled.getConnection();
          request.using(conn);
          send(conn);
        }
      } catch (RuntimeException e) {
        request.unexpected("sending the request", e);
      }
    }

    @Override
    public void failed(HttpServerExchange ex) {
      try {
        if (settle()) {
          unreached("could not connect to " + to.key()
              + (to.tls().isPresent()
                  ? " (refused, unreachable, or the TLS handshake failed)"
                  : " (refused, or the host is unreachable)"));
        }
      } catch (RuntimeException e) {
        request.unexpected("connecting", e);
      }
    }

    @Override
    public void queuedRequestFailed(HttpServerExchange ex) {
      try {
        if (settle()) {
          busy();
        }
      } catch (RuntimeException e) {
        request.unexpected("waiting for a connection", e);
      }
    }

    @Override
    public void couldNotResolveBackend(HttpServerExchange ex) {
      failed(ex);
    }

    private void send(ClientConnection conn) {
      ClientRequest r = new ClientRequest();
      r.setMethod(request.exchange().getRequestMethod());
      r.setPath(request.target());
      request.headers(r.getRequestHeaders()::add);
      conn.sendRequest(
          r,
          new ClientCallback<>() {
            @Override
            public void completed(ClientExchange result) {
              try {
                sent(conn, result);
              } catch (RuntimeException e) {
                request.unexpected("sending the request", e);
              }
            }

            @Override
            public void failed(IOException e) {
              // The pooled connection was closed before anything was written on it (the backend ended
              // an idle keep-alive connection): like a refused connection, safe to send elsewhere.
              request.notSent(conn, tlsNamed(to, e));
            }
          });
    }

    /**
     * Undertow's client runs the handshake inside its first write, so a peer refused over TLS shows up
     * as a connection that failed while sending: its error then says that it was TLS's.
     */
    static IOException tlsNamed(Endpoint to, IOException e) {
      if (to.tls().isEmpty()) {
        return e;
      }
      String name = to.tls().get().commonName().map(n -> " for " + n).orElse("");
      return new javax.net.ssl.SSLException(
          "TLS handshake failed or the TLS connection broke (is the backend's certificate trusted, and"
              + name + "?): " + reason(e), e);
    }

    private void sent(ClientConnection conn, ClientExchange result) {
      result.setResponseListener(new ResponseHandler(conn, request, to));
      StreamSinkChannel sink = result.getRequestChannel();
      HttpServerExchange exchange = request.exchange();
      byte[] body = request.body();
      if (body != null) {
        Sinks.write(body, sink, e -> request.broken("sending the body", conn, tlsNamed(to, e)));
      } else if (request.hasBody() && !exchange.isRequestComplete()) {
        Relay.start(
            exchange.getRequestChannel(),
            sink,
            (c, e) -> request.broken("sending the body", conn, tlsNamed(to, e)),
            exchange.getConnection().getByteBufferPool());
      } else {
        Sinks.finishWrites(sink);
      }
    }
  }

  /** The backend's answer to one attempt, and then the failure, if any, of relaying its body. */
  private static final class ResponseHandler
      implements ClientCallback<ClientExchange>, ChannelExceptionHandler<Channel> {
    private final ClientConnection conn;
    private final UpstreamRequest request;
    private final Endpoint to;

    ResponseHandler(ClientConnection conn, UpstreamRequest request, Endpoint to) {
      this.conn = conn;
      this.request = request;
      this.to = to;
    }

    @Override
    public void completed(ClientExchange result) {
      try {
        answered(result);
      } catch (RuntimeException e) {
        request.unexpected("reading the response", e);
      }
    }

    /** Relaying the body failed on either side: both connections are closed. */
    @Override
    public void handleException(Channel channel, IOException e) {
      IoUtils.safeClose(conn);
      IoUtils.safeClose(request.exchange().getConnection());
    }

    @Override
    public void failed(IOException e) {
      request.broken("reading the response", conn, Attempt.tlsNamed(to, e));
    }

    private void answered(ClientExchange result) {
      ClientResponse response = result.getResponse();
      int status = response.getResponseCode();
      if (!request.answered(conn, status, response.getResponseHeaders())) {
        return;
      }
      HttpServerExchange exchange = request.exchange();
      if (status == 101) {
        Tunnel.open(exchange, result);
      }
      Relay.start(
          result.getResponseChannel(),
          exchange.getResponseChannel(),
          this,
          exchange.getConnection().getByteBufferPool());
    }
  }
}
