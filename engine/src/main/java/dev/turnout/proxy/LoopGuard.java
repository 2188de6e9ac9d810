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
    for (int i = 0; i < incoming.size(); i++) {
      if (listsEntry(incoming.get(i), via)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code entry} is one of the comma-separated entries of {@code value}, spaces around it
   * aside. Compared in place: behind another Linkerd or Turnout every request carries {@code Via}, and
   * splitting it made an array and a string per entry.
   */
  static boolean listsEntry(String value, String entry) {
    int len = value.length();
    int start = 0;
    while (start < len) {
      int end = Hop.tokenEnd(value, start);
      int from = Hop.trimmedFrom(value, start, end);
      int to = Hop.trimmedTo(value, from, end);
      if (to - from == entry.length() && value.regionMatches(from, entry, 0, entry.length())) {
        return true;
      }
      start = end + 1;
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
    for (int k = 0; k < via.size(); k++) {
      String v = via.get(k);
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
