package dev.turnout.proxy;

import io.undertow.server.HttpServerExchange;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The first step of the chain: the request's root id, which goes upstream as {@code l5d-reqid}. A new
 * id is a random number, kept as such ({@link Routed#newRequestId}) and spelled in hex only where it is
 * written: Turnout's HTTP/1.1 client writes its digits straight into the head's bytes, so a request
 * without an id of its own makes no string for one.
 */
final class RequestId {
  private RequestId() {}

  /**
   * The caller's {@code l5d-reqid} when it sent a plausible one (up to 64 letters, digits and dashes),
   * so a chain of proxies logs one id; else null, and the request gets a {@link #fresh} one.
   */
  static String callers(HttpServerExchange exchange) {
    String incoming = exchange.getRequestHeaders().getFirst(L5dHeaders.REQID);
    if (incoming != null && !incoming.isEmpty() && incoming.length() <= 64) {
      boolean plain = true;
      for (int i = 0; i < incoming.length() && plain; i++) {
        char c = incoming.charAt(i);
        plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
      }
      if (plain) {
        return incoming;
      }
    }
    return null;
  }

  /** A new id, spelled as {@link Long#toHexString} spells it ({@link #show}). */
  static long fresh() {
    return ThreadLocalRandom.current().nextLong();
  }

  /** The id as it goes upstream: the caller's, or the new one in hex (1 to 16 digits, lower case). */
  static String show(String callers, long fresh) {
    return callers != null ? callers : Long.toHexString(fresh);
  }
}
