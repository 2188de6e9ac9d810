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
            name -> exchange.getRequestHeaders().getFirst(name));
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
}
