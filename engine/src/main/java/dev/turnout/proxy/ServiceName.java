package dev.turnout.proxy;

import dev.turnout.routing.Identification;
import dev.turnout.routing.IdentificationException;
import dev.turnout.routing.RequestHead;
import dev.turnout.routing.Router;
import io.undertow.server.HttpServerExchange;
import java.util.Optional;

/** Identification: the service name the router's identifiers give the request (and a rewritten path). */
final class ServiceName {
  private final Router router;

  ServiceName(Router router) {
    this.router = router;
  }

  /**
   * The request's identification.
   *
   * @throws Refusal 400 when no identifier names a service for it
   */
  Identification identify(HttpServerExchange exchange) {
    RequestHead head =
        new RequestHead(
            exchange.getRequestMethod().toString(),
            Hop.rawPath(exchange),
            exchange.getQueryString(),
            exchange.getProtocol().toString(),
            name -> header(exchange, name));
    Optional<Identification> id;
    try {
      id = router.identify(head);
    } catch (IdentificationException e) {
      throw new Refusal(400, "Unable to identify request: " + e.getMessage());
    }
    if (id.isEmpty()) {
      throw new Refusal(400, "Unable to identify request: no service name for " + exchange.getRequestMethod()
          + " " + exchange.getRequestPath());
    }
    return id.get();
  }

  /**
   * A header's first value; HTTP/2's pseudo-headers by their names too ({@code :authority} is what
   * Undertow keeps as Host, {@code :path} the target as sent, query included), so that an h2 router's
   * identifiers read them as Linkerd's do.
   */
  static String header(HttpServerExchange exchange, String name) {
    if (!name.isEmpty() && name.charAt(0) == ':') {
      switch (name) {
        case ":authority":
          return exchange.getRequestHeaders().getFirst(io.undertow.util.Headers.HOST);
        case ":path":
          return Hop.withQuery(Hop.rawPath(exchange), exchange);
        case ":method":
          return exchange.getRequestMethod().toString();
        case ":scheme":
          return exchange.getRequestScheme();
        default:
          return null;
      }
    }
    // A well-known name (Host) by Undertow's shared constant: a lookup by a plain string encodes the
    // name into a new byte array to hash it, for every request.
    io.undertow.util.HttpString known = io.undertow.util.Headers.fromCache(name);
    return known != null
        ? exchange.getRequestHeaders().getFirst(known)
        : exchange.getRequestHeaders().getFirst(name);
  }
}
