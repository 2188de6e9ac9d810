package dev.turnout.proxy;

import dev.turnout.config.ServerConfig;
import dev.turnout.dtab.Dtab;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.routing.Identification;
import dev.turnout.routing.Router;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * One router server's request chain, its order read top to bottom in {@link #handleRequest}:
 *
 * <ol>
 *   <li>on an h2 router, {@link H2Streams}: a stream past the announced concurrent streams is refused,
 *       and an answer given before the request ended resets the stream after it;
 *   <li>{@link Observing}: the request is counted against its router server, and its access log line
 *       and figures are written when its exchange ends, whatever happens below;
 *   <li>{@link RequestId}: the caller's {@code l5d-reqid}, or a new one;
 *   <li>{@link LoopGuard}: this server's own {@code Via} entry already present, then the hop count
 *       against {@code maxCallDepth};
 *   <li>{@link LocalDtab}: whether this caller may override at all ({@code dtabOverrides}), then the
 *       request's local dtab ({@code l5d-ctx-dtab} then {@code l5d-dtab}, or none with {@code
 *       clearContext});
 *   <li>{@link ServiceName}: identification;
 *   <li>{@link Binding}: the snapshot in force, the bound tree, the union branch: a {@link Routed};
 *   <li>{@link Mirror}: a sampled copy to a shadow, when the snapshot's rules say so;
 *   <li>{@link Forwarding}: the request goes upstream as a {@link ProxiedRequest}.
 * </ol>
 *
 * <p>Every step runs on the IO thread and never blocks. A step that will not pass the request on
 * throws a {@link Refusal}, answered here with its status and {@code l5d-err}. Any other exception (a
 * namer's bug, say) is answered here too, 500 with {@code l5d-err}, and logged through the {@link
 * FailureLog} with its trace once, rather than left to Undertow, which would log its trace for every
 * request and answer without saying who failed. Per request the steps allocate the request id, the
 * routing head, the {@link Routed} and the {@link ProxiedRequest}; what a request passes from step to
 * step are these local values, not attachments of the exchange.
 */
final class RouterChain implements HttpHandler {
  private final Router router;
  private final FailureLog log;
  private final LoopGuard loopGuard;
  private final LocalDtab localDtab;
  private final ServiceName serviceName;
  private final Binding binding;
  private final Mirror mirror;
  private final Forwarding forwarding;
  private final Observing observing;
  /** An h2 router server's stream rules that Undertow leaves out; null for http routers. */
  private final H2Streams h2Streams;

  RouterChain(
      Router router, ServerConfig server, Pools pools, ProxyMetrics metrics, Mirror mirror, Observing observing) {
    this.router = router;
    this.observing = observing;
    this.log = new FailureLog(FailureLog.installed(), router::nanos);
    this.loopGuard = new LoopGuard(router);
    this.localDtab = new LocalDtab(server);
    this.serviceName = new ServiceName(router);
    this.binding = new Binding(router, metrics, log, loopGuard.via());
    this.mirror = mirror;
    this.forwarding = new Forwarding(new PerRouter(router, pools, metrics, log));
    this.h2Streams = router.config().h2() ? new H2Streams(server.h2().maxConcurrentStreamsPerConnection()) : null;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (h2Streams != null && !h2Streams.admit(exchange)) {
      return;
    }
    try {
      observing.begin(exchange);
      String callerRequestId = RequestId.callers(exchange);
      long newRequestId = callerRequestId == null ? RequestId.fresh() : 0;
      loopGuard.check(exchange);
      Dtab local = localDtab.read(exchange);
      Identification named = serviceName.identify(exchange);
      observing.named(exchange, named);
      Routed routed = binding.bind(exchange, named, local, callerRequestId, newRequestId);
      mirror.maybeMirror(exchange, routed);
      forwarding.forward(exchange, routed);
    } catch (Refusal refused) {
      Errors.send(exchange, refused.status, refused.getMessage());
    } catch (RuntimeException e) {
      log.unexpected(router.label(), "routing " + exchange.getRequestMethod() + " " + exchange.getRequestPath(), e);
      if (!exchange.isRequestComplete()) {
        exchange.setPersistent(false);
      }
      Errors.send(exchange, 500, "Turnout failed while routing the request: " + e);
    }
  }

  /** Stops the timeout sweeps and closes the access log. */
  void close() {
    forwarding.close();
    observing.close();
  }
}
