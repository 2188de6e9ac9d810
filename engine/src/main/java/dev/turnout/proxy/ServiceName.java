package dev.turnout.proxy;

import dev.turnout.proxy.upstream.PerIoThread;
import dev.turnout.routing.Identification;
import dev.turnout.routing.IdentificationException;
import dev.turnout.routing.RequestHead;
import dev.turnout.routing.Router;
import io.undertow.server.HttpServerExchange;
import java.util.Optional;

/** Identification: the service name the router's identifiers give the request (and a rewritten path). */
final class ServiceName {
  private final Router router;
  /** Each IO thread's head, pointed at the exchange it identifies for the call's length. */
  private final PerIoThread<ExchangeHead> heads = new PerIoThread<>(t -> new ExchangeHead());

  ServiceName(Router router) {
    this.router = router;
  }

  /**
   * The request's identification.
   *
   * @throws Refusal 400 when no identifier names a service for it
   */
  Identification identify(HttpServerExchange exchange) {
    // off its IO thread (never, as the chain runs today) a request gets a head of its own
    ExchangeHead head = exchange.isInIoThread() ? heads.get(exchange.getIoThread()) : new ExchangeHead();
    head.exchange = exchange;
    Optional<Identification> id;
    try {
      id = router.identify(head);
    } catch (IdentificationException e) {
      throw new Refusal(400, "Unable to identify request: " + e.getMessage());
    } finally {
      head.exchange = null;
    }
    if (id.isEmpty()) {
      throw new Refusal(400, "Unable to identify request: no service name for " + exchange.getRequestMethod()
          + " " + exchange.getRequestPath());
    }
    return id.get();
  }

  /**
   * The exchange's head as identifiers read it, each part read from the exchange when asked: a Host
   * identifier reads one header and nothing else, and a request makes no object for it.
   */
  private static final class ExchangeHead implements RequestHead {
    HttpServerExchange exchange;

    @Override
    public String method() {
      return exchange.getRequestMethod().toString();
    }

    @Override
    public String path() {
      return Hop.rawPath(exchange);
    }

    @Override
    public String query() {
      return exchange.getQueryString();
    }

    @Override
    public String version() {
      return exchange.getProtocol().toString();
    }

    @Override
    public String header(String name) {
      return ServiceName.header(exchange, name);
    }
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
