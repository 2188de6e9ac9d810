package dev.turnout.proxy;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.BindingException;
import dev.turnout.routing.Identification;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import dev.turnout.routing.RoutingSnapshot;
import io.undertow.server.HttpServerExchange;
import java.util.Optional;

/**
 * Binding: the service name bound under the routing snapshot in force (read once, here, for the whole
 * request) and the request's local dtab, then a union branch chosen by weight. Binding reads namer state
 * already in memory, so it never blocks. A name that binds to nothing usable is counted as the
 * service's {@code unroutable} failure and refused 502 with Linkerd's message.
 */
final class Binding {
  private final Router router;
  private final ProxyMetrics metrics;
  private final FailureLog log;
  private final String via;

  Binding(Router router, ProxyMetrics metrics, FailureLog log, String via) {
    this.router = router;
    this.metrics = metrics;
    this.log = log;
    this.via = via;
  }

  /**
   * What routing decided for the request identified as {@code named}.
   *
   * @throws Refusal 502 when the name is unroutable
   */
  Routed bind(
      HttpServerExchange exchange, Identification named, Dtab local, String callerRequestId, long newRequestId) {
    Path service = named.service();
    RoutingSnapshot snapshot = router.source().current();
    Route route;
    // the request's start by its router's clock: binding's cache reads it, and the request keeps it
    long now = router.nanos();
    try {
      route = router.bind(snapshot, local, service, now);
    } catch (BindingException e) {
      throw unroutable(service.show(), message(service, snapshot, local, e.getMessage()));
    }
    Optional<Route.Target> chosen = Router.choose(route.targets());
    if (chosen.isEmpty()) {
      String bound = route.bound().show(b -> b.id().show());
      throw unroutable(
          route.service(),
          message(
              service, snapshot, local,
              "the name bound to " + bound + " (in dtab notation: ~ nothing matched, $ no endpoints, ! failed)"));
    }
    String target = Hop.target(named.rewrittenPath(), exchange);
    return new Routed(
        router, snapshot, local, service, route.service(), chosen.get(), target, callerRequestId, newRequestId, via, now);
  }

  /** Counts the service's unroutable request and logs it; the refusal to throw. */
  private Refusal unroutable(String service, String message) {
    var stats = metrics.service(router.label(), service);
    stats.start();
    stats.finish(false, "unroutable", 0);
    log.expected(router.label(), "unroutable", 502, message);
    return new Refusal(502, message);
  }

  /** Linkerd's message for a name that cannot be routed. */
  private static String message(Path service, RoutingSnapshot snapshot, Dtab local, String why) {
    return "Unable to route request! service: " + service.show()
        + "; why: " + why
        + "; dtab: " + snapshot.dtab().concat(local).show()
        + "; base dtab: " + snapshot.dtab().show()
        + "; override dtab: " + local.show();
  }
}
