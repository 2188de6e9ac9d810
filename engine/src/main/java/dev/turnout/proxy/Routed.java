package dev.turnout.proxy;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import dev.turnout.routing.RoutingSnapshot;

/**
 * What routing decided for one request, handed by the binding step to mirroring and
 * forwarding: the router and the snapshot it read once, the request's local dtab, the service name
 * (as a path and as shown), the target chosen first (a retry may rebind to another), and what goes
 * upstream from this hop: the request target (the path an identifier may have rewritten, and the
 * query), the request id and this server's {@code Via} entry.
 */
record Routed(
    Router router,
    RoutingSnapshot snapshot,
    Dtab local,
    Path service,
    String serviceName,
    Route.Target target,
    String requestTarget,
    String requestId,
    String via) {}
