package dev.turnout.proxy;

import dev.turnout.routing.Router;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import java.net.InetSocketAddress;

/**
 * Refuses a request that has looped: one that already carries this router server's own {@code Via}
 * entry (it has come round to the very same server), or whose {@code Via} entries reach the router's
 * {@code maxCallDepth}, with Linkerd's message. Each router server has its own entry ({@link
 * L5dHeaders#newViaEntry()}), so a request passing two routers of one process is no loop.
 */
final class LoopGuard {
  private final Router router;
  /** This server's own {@code Via} entry: seeing it on an incoming request means the request looped. */
  private final String via = L5dHeaders.newViaEntry();

  LoopGuard(Router router) {
    this.router = router;
  }

  /** The entry this server adds to {@code Via} on the requests it sends on. */
  String via() {
    return via;
  }

  /**
   * Passes a request that has not looped.
   *
   * @throws Refusal 400 when it has
   */
  void check(HttpServerExchange exchange) {
    if (passedThisServer(exchange)) {
      throw new Refusal(400, "Routing loop: this request has already passed router " + router.label() + " on "
          + serverAddress(exchange) + " (its entry '" + via + "' is in the Via header)");
    }
    if (hops(exchange) >= router.config().maxCallDepth()) {
      throw new Refusal(400, "Maximum number of calls (" + router.config().maxCallDepth()
          + ") has been exceeded. Please check for proxy loops.");
    }
  }

  /** True when this server's own {@code Via} entry is already on the request: it has come round again. */
  private boolean passedThisServer(HttpServerExchange exchange) {
    HeaderValues incoming = exchange.getRequestHeaders().get(L5dHeaders.VIA);
    if (incoming == null) {
      return false;
    }
    for (String v : incoming) {
      for (String entry : v.split(",")) {
        if (entry.strip().equals(via)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The number of proxies the request has passed, counted from its {@code Via} entries. */
  private static int hops(HttpServerExchange exchange) {
    HeaderValues via = exchange.getRequestHeaders().get(L5dHeaders.VIA);
    if (via == null) {
      return 0;
    }
    int n = 0;
    for (String v : via) {
      for (int i = 0; i < v.length(); i++) {
        if (v.charAt(i) == ',') {
          n++;
        }
      }
      n++;
    }
    return n;
  }

  private static String serverAddress(HttpServerExchange exchange) {
    InetSocketAddress at = exchange.getDestinationAddress();
    return at == null || at.getAddress() == null ? "this server" : at.getAddress().getHostAddress() + ":" + at.getPort();
  }
}
