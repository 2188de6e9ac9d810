package dev.turnout.proxy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Protocols;

/**
 * Answers 505 (HTTP Version Not Supported) to a request whose version is neither HTTP/1.0 nor HTTP/1.1,
 * and hands every other request on. What reaches it is what Undertow's parser lets through: it passes
 * {@code HTTP/0.9} on (which Undertow would answer with a 1.x-style head, headers and all), answers a
 * plain {@code HTTP/2.0} request line 400 itself, and turns every other version, {@code HTTP/1.7} and
 * {@code HTTP/9.9} alike, into HTTP/1.1 before any handler runs (2.3.27, read with javap: the caller's
 * version is logged at trace level and dropped). For 1.x that is what RFC 9110 section 2.5 asks of a
 * 1.1 recipient; a major version other than 1 would need a parser in front of Undertow's to see.
 * The connection is closed after the answer: a caller speaking another version cannot be trusted to
 * frame its next request as 1.1 does. An h2 router's gate is the other way round: HTTP/2 only.
 */
public final class HttpVersionGate implements HttpHandler {
  private final HttpHandler next;
  private final boolean h2;

  public HttpVersionGate(HttpHandler next) {
    this(next, false);
  }

  /** @param h2 the server is an h2 router's: it takes HTTP/2 requests only, and answers others 505 */
  public HttpVersionGate(HttpHandler next, boolean h2) {
    this.next = next;
    this.h2 = h2;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (h2) {
      if (exchange.getProtocol().equals(Protocols.HTTP_2_0)) {
        next.handleRequest(exchange);
        return;
      }
      exchange.setPersistent(false);
      Errors.send(exchange, 505, "HTTP version " + printable(exchange.getProtocol().toString())
          + " is not supported: this is an h2 router, which speaks HTTP/2 only (prior knowledge, or ALPN h2 over TLS)");
      return;
    }
    if (exchange.isHttp11() || exchange.isHttp10()) {
      next.handleRequest(exchange);
      return;
    }
    String version = printable(exchange.getProtocol().toString());
    // The answer's status line says which version this server does speak (RFC 9110 section 15.6.6).
    exchange.setProtocol(Protocols.HTTP_1_1);
    exchange.setPersistent(false);
    Errors.send(exchange, 505, "HTTP version " + version + " is not supported: Turnout speaks HTTP/1.0 and HTTP/1.1");
  }

  /** The version as the caller wrote it, cut short and with anything unprintable replaced. */
  private static String printable(String version) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < version.length() && i < 32; i++) {
      char c = version.charAt(i);
      out.append(c >= 0x21 && c < 0x7f ? c : '?');
    }
    return out.length() < version.length() ? out + "..." : out.toString();
  }
}
