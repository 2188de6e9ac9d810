package dev.turnout.proxy;

import io.undertow.server.HttpServerExchange;
import java.util.concurrent.ThreadLocalRandom;

/** The first step of the chain: the request's root id, which goes upstream as {@code l5d-reqid}. */
final class RequestId {
  private RequestId() {}

  /**
   * The caller's {@code l5d-reqid} when it sent a plausible one (up to 64 letters, digits and dashes),
   * so a chain of proxies logs one id; else a new random one.
   */
  static String of(HttpServerExchange exchange) {
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
    return Long.toHexString(ThreadLocalRandom.current().nextLong());
  }
}
