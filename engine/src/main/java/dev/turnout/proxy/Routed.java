package dev.turnout.proxy;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.naming.BindingException;
import dev.turnout.proxy.upstream.HeaderSink;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import dev.turnout.routing.RoutingSnapshot;
import java.util.Optional;

/**
 * What routing decided for one request, handed by the binding step to mirroring and
 * forwarding: the router and the snapshot it read once, the request's local dtab, the service name
 * (as a path and as shown), the target chosen first (a retry may rebind to another), and what goes
 * upstream from this hop: the request target (the path an identifier may have rewritten, and the
 * query), the request id (the caller's, or a new one: {@link RequestId}) and this server's {@code Via} entry;
 * and when it was bound, by the router's clock, which is when the forwarded request starts.
 */
record Routed(
    Router router,
    RoutingSnapshot snapshot,
    Dtab local,
    Path service,
    String serviceName,
    Route.Target target,
    String requestTarget,
    String callerRequestId,
    long newRequestId,
    String via,
    long routedNanos) {

  /**
   * The request id that goes upstream as {@code l5d-reqid}: the caller's ({@code callerRequestId}), or,
   * when that is null, {@code newRequestId} in hex. Made on each call: Turnout's HTTP/1.1 client
   * writes the id without it ({@link #writeRequestId}).
   */
  String requestId() {
    return RequestId.show(callerRequestId, newRequestId);
  }

  /** Writes the {@code l5d-reqid} line: a new id's digits go into the head with no string made. */
  void writeRequestId(HeaderSink out) {
    if (callerRequestId != null) {
      out.header(L5dHeaders.REQID, callerRequestId);
    } else {
      out.hexHeader(L5dHeaders.REQID, newRequestId);
    }
  }

  /**
   * The target routing chooses now for the same name, under this request's snapshot and local dtab:
   * for a retry after a failed connection, when failure accrual may have taken this target's endpoints
   * out and the bound tree now prefers another alternative. Empty when the name no longer binds.
   */
  Optional<Route.Target> chooseAgain() {
    try {
      return Router.choose(router.bind(snapshot, local, service).targets());
    } catch (BindingException e) {
      return Optional.empty();
    }
  }

  /** As {@link #chooseAgain}, bound afresh ({@link Router#bindAfresh}): after a name turned out not to exist. */
  Optional<Route.Target> chooseAfresh() {
    try {
      return Router.choose(router.bindAfresh(snapshot, local, service).targets());
    } catch (BindingException e) {
      return Optional.empty();
    }
  }
}
