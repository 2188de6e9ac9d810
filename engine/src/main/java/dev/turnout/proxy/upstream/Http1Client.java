package dev.turnout.proxy.upstream;

import dev.turnout.config.HostConnectionPool;
import dev.turnout.routing.Endpoint;
import dev.turnout.tls.ClientTls;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.xnio.Cancellable;
import org.xnio.XnioIoThread;

/**
 * Turnout's own HTTP/1.1 client: keep-alive {@link UpstreamConnection}s in an {@link UpstreamPool} per
 * endpoint {@code host:port}, shared by every router of the process. It carries a request with no body
 * or one held whole that asks for no upgrade. Its pool's wait is cancelled at the connect timeout: a
 * connection still being made is closed, a place in its queue given up, so no slot stays taken by a
 * dead host.
 *
 * <p>An attempt that finds an idle connection (the usual case) allocates nothing here: the request goes
 * out at once and the connection, which keeps it, tells the one stateless {@link #SENT} handler how it
 * went. Only an attempt that must wait (for a new connection, or a busy one handed back) makes an
 * {@link Attempt}, which the wait's timer and cancellation need.
 */
public final class Http1Client implements UpstreamClient {
  private final ConcurrentHashMap<String, UpstreamPool> pools = new ConcurrentHashMap<>();
  /**
   * Pools of clients with a {@code hostConnectionPool} of their own, apart from the shared ones: two
   * routers' clients of one endpoint share connections only when they ask for the same limits.
   */
  private final ConcurrentHashMap<Sized, UpstreamPool> sized = new ConcurrentHashMap<>();

  private record Sized(String endpoint, HostConnectionPool settings) {}

  /**
   * Pools of TLS clients, apart from every plaintext one: a connection is shared only by clients of
   * one endpoint with the same TLS (the same loaded {@code client.tls}) and the same limits.
   */
  private final ConcurrentHashMap<Secured, UpstreamPool> secured = new ConcurrentHashMap<>();

  private record Secured(String endpoint, HostConnectionPool settings, ClientTls tls) {}

  @Override
  public Cancellable start(Endpoint endpoint, long connectTimeoutMillis, UpstreamRequest request) {
    UpstreamPool pool;
    try {
      pool = pool(endpoint);
    } catch (IllegalArgumentException notAnAddress) {
      request.unreachable(endpoint, notAnAddress.getMessage());
      return ANSWERED;
    }
    XnioIoThread io = request.exchange().getIoThread();
    UpstreamConnection idle = pool.idle(io);
    if (idle != null) {
      // Sent at once: there is no wait, so no Attempt to keep one
      sendOrClose(idle, request, !request.over());
      return ANSWERED;
    }
    Attempt waiting = new Attempt(endpoint, connectTimeoutMillis, request);
    Cancellable pending = pool.acquire(io, waiting);
    if (!waiting.settled) {
      waiting.pending = pending;
      waiting.timer = io.executeAfter(waiting::timedOut, connectTimeoutMillis, TimeUnit.MILLISECONDS);
    }
    return waiting;
  }

  /**
   * The pool of connections to {@code endpoint}.
   *
   * @throws IllegalArgumentException when the endpoint is not an address a connection can be made to
   */
  private UpstreamPool pool(Endpoint endpoint) {
    String key = endpoint.key();
    if (endpoint.tls().isPresent()) {
      Secured k = new Secured(key, endpoint.pool(), endpoint.tls().get());
      UpstreamPool p = secured.get(k);
      if (p != null) {
        return p;
      }
      UpstreamClient.uri(endpoint);
      return secured.computeIfAbsent(k, x -> new UpstreamPool(endpoint));
    }
    if (!endpoint.pool().equals(HostConnectionPool.DEFAULT)) {
      Sized k = new Sized(key, endpoint.pool());
      UpstreamPool p = sized.get(k);
      if (p != null) {
        return p;
      }
      UpstreamClient.uri(endpoint);
      return sized.computeIfAbsent(k, x -> new UpstreamPool(endpoint));
    }
    UpstreamPool p = pools.get(key);
    if (p != null) {
      return p;
    }
    UpstreamClient.uri(endpoint); // the same check as for Undertow's pool, before anything is kept
    return pools.computeIfAbsent(key, k -> new UpstreamPool(endpoint));
  }

  /** Connections open or being opened, to every endpoint: what a leak of pool slots would show in. */
  public int open() {
    int n = 0;
    for (UpstreamPool p : pools.values()) {
      n += p.open();
    }
    for (UpstreamPool p : sized.values()) {
      n += p.open();
    }
    for (UpstreamPool p : secured.values()) {
      n += p.open();
    }
    return n;
  }

  @Override
  public void close() {
    pools.values().forEach(UpstreamPool::close);
    pools.clear();
    sized.values().forEach(UpstreamPool::close);
    sized.clear();
    secured.values().forEach(UpstreamPool::close);
    secured.clear();
  }

  /**
   * Sends {@code request} on {@code c}, now the attempt's, when the request still {@code wants} it;
   * else closes {@code c}, which nobody will use.
   */
  private static void sendOrClose(UpstreamConnection c, UpstreamRequest request, boolean wants) {
    try {
      if (wants) {
        request.using(c);
        send(c, request);
      } else {
        c.close();
      }
    } catch (RuntimeException e) {
      request.unexpected("sending the request", e);
    }
  }

  /**
   * Sends {@code request} on {@code c}: its head, written line by line from the caller's headers into
   * the thread's array, and its held body, if any, in one write. A retry sent from inside the send (a
   * refused write) may write the array again: the failed send is done with it by then.
   */
  private static void send(UpstreamConnection c, UpstreamRequest request) {
    HttpServerExchange exchange = request.exchange();
    HttpString method = exchange.getRequestMethod();
    Http1Head head = c.scratch().head.start(method, request.target());
    request.headers(head);
    c.send(
        SENT,
        request,
        exchange.getConnection().getByteBufferPool(),
        head.end(),
        request.body(),
        Methods.HEAD.equals(method));
  }

  /** One attempt's wait for a connection, when none was idle; the request goes out as it comes. */
  private static final class Attempt extends ConnectWait implements UpstreamPool.Waiter {
    Attempt(Endpoint to, long timeoutMillis, UpstreamRequest request) {
      super(to, false, timeoutMillis, request);
    }

    @Override
    public void connected(UpstreamConnection c) {
      sendOrClose(c, request, settle());
    }

    @Override
    public void failed(IOException e) {
      try {
        if (settle()) {
          unreached("could not connect to " + to.key() + " (" + reason(e) + ")");
        }
      } catch (RuntimeException bug) {
        request.unexpected("connecting", bug);
      }
    }

    @Override
    public void overloaded(String why) {
      try {
        if (settle()) {
          request.overloaded(to, why);
        }
      } catch (RuntimeException bug) {
        request.unexpected("waiting for a connection", bug);
      }
    }

    @Override
    public boolean gaveUp() {
      return settled || request.over();
    }

    @Override
    public void queued() {
      queued = true;
    }

    @Override
    public void opening(Cancellable connecting) {
      queued = false;
      pending = connecting;
    }
  }

  /** What every request sent on a connection hears, from the connection, which keeps the request. */
  private static final UpstreamConnection.Handler SENT =
      new UpstreamConnection.Handler() {
        @Override
        public void notSent(UpstreamConnection conn, UpstreamRequest request, IOException e) {
          request.notSent(conn, namingTls(e));
        }

        @Override
        public void broken(UpstreamConnection conn, UpstreamRequest request, IOException e) {
          if (e.getCause() instanceof RuntimeException bug) {
            request.unexpected("reading the response", bug);
            return;
          }
          request.broken("reading the response", conn, namingTls(e));
        }

        @Override
        public HeaderMap answerHeaders(UpstreamRequest request) {
          return request.answerHeaders();
        }

        @Override
        public void answered(UpstreamConnection conn, UpstreamRequest request, ResponseHead head) {
          try {
            if (request.answered(conn, head.status, head.headers)) {
              request.using(null); // the connection is the relay's now: back to its pool at the body's end
              conn.relay(request.exchange().getResponseChannel());
            }
          } catch (RuntimeException e) {
            request.unexpected("reading the response", e);
          }
        }

        @Override
        public void relayFailed(UpstreamConnection conn, UpstreamRequest request, IOException e) {
          request.relayFailed(e);
        }
      };

  /**
   * A TLS failure after the handshake (in TLS 1.3 a server refuses a client certificate only once the
   * client has finished its side) says it is TLS's, whatever the engine's own words.
   */
  private static IOException namingTls(IOException e) {
    return e instanceof SSLException ? new SSLException("TLS failed: " + ConnectWait.reason(e), e) : e;
  }
}
