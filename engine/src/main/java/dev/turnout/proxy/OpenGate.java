package dev.turnout.proxy;

import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds a router's requests until the router may route. A router's listeners are bound before the
 * warm-up and stay suspended (the kernel queues new connections) until {@link #open()}; this gate
 * covers the one gap that leaves: a connection accepted between Undertow starting a listener and the
 * suspension taking hold. Such a request waits here, off the IO thread's stack, and goes on when the
 * router opens; when the proxy closes first it is answered 503. Once open, the gate costs a volatile
 * read per request.
 */
final class OpenGate implements HttpHandler {
  private final HttpHandler next;
  private final String router;
  private volatile boolean open;
  private List<HttpServerExchange> held = new ArrayList<>(); // guarded by this; null once open or closed

  OpenGate(HttpHandler next, String router) {
    this.next = next;
    this.router = router;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (open || !hold(exchange)) {
      next.handleRequest(exchange);
    }
  }

  /** Keeps {@code exchange} for later; false when the gate opened meanwhile and it may go on now. */
  private synchronized boolean hold(HttpServerExchange exchange) {
    if (held == null) {
      return false;
    }
    // Marks the exchange as asynchronous: it stays open after this handler returns.
    exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {});
    held.add(exchange);
    return true;
  }

  boolean isOpen() {
    return open;
  }

  /** Lets requests through from now on, and sends the held ones on, each on its own IO thread. */
  void open() {
    List<HttpServerExchange> waiting;
    synchronized (this) {
      if (held == null) {
        return;
      }
      waiting = held;
      held = null;
      open = true;
    }
    for (HttpServerExchange e : waiting) {
      e.getIoThread().execute(() -> Connectors.executeRootHandler(next, e));
    }
  }

  /** Answers the held requests 503: the proxy is closing before this router ever opened. */
  void close() {
    List<HttpServerExchange> waiting;
    synchronized (this) {
      if (held == null) {
        return;
      }
      waiting = held;
      held = null;
    }
    for (HttpServerExchange e : waiting) {
      e.getIoThread().execute(() -> Errors.send(e, 503, "router " + router + " closed before it was ready to route"));
    }
  }
}
