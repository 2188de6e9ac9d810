package dev.turnout.proxy;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;

/**
 * The chain's last step: the routed request goes on as a {@link ProxiedRequest}, on the exchange's IO
 * thread, with what every request of the router server shares ({@link PerRouter}).
 */
final class Forwarding implements AutoCloseable {
  private final PerRouter shared;

  Forwarding(PerRouter shared) {
    this.shared = shared;
  }

  void forward(HttpServerExchange exchange, Routed routed) {
    ProxiedRequest proxied = new ProxiedRequest(exchange, routed, shared);
    keepReading(exchange, proxied.hasBody);
    // Dispatching marks the exchange as asynchronous, so it stays open after the handler returns;
    // SameThreadExecutor runs the request right here on the IO thread.
    exchange.dispatch(SameThreadExecutor.INSTANCE, proxied);
  }

  /**
   * Undertow stops reading the caller's connection while a request is in flight and starts again when
   * the answer is out. With the JDK's selector each of those is a system call (the socket leaves the
   * epoll set, then joins it again), two per request on top of the four a proxy needs. For a request
   * without a body on a connection that stays open nothing more is read anyway (a {@code Connection:
   * close} request has had its input shut down already), so the connection is left registered: reading is
   * switched back on here, before the IO loop applies the switch-off, and the loop sees no change. Should
   * the caller send anything before the answer, Undertow's read listener, finding a request running,
   * switches reading off then, as it always did.
   */
  static void keepReading(HttpServerExchange exchange) {
    keepReading(exchange, Hop.hasBody(exchange));
  }

  /** As above, for a request whose {@link Hop#hasBody} is known already. */
  private static void keepReading(HttpServerExchange exchange, boolean hasBody) {
    if (exchange.getConnection() instanceof AbstractServerConnection c
        && exchange.isPersistent()
        && !hasBody
        && !exchange.getRequestHeaders().contains(Headers.UPGRADE)
        && !c.getOriginalSourceConduit().isReadShutdown()) {
      c.getOriginalSourceConduit().resumeReads();
    }
  }

  /** Stops the timeout sweeps. */
  @Override
  public void close() {
    shared.close();
  }
}
