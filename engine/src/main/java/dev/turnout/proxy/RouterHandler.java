package dev.turnout.proxy;

import dev.turnout.config.ServerConfig;
import dev.turnout.dtab.Dtab;
import dev.turnout.metrics.Nanos;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.BindingException;
import dev.turnout.routing.Identification;
import dev.turnout.routing.IdentificationException;
import dev.turnout.routing.RequestHead;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import dev.turnout.routing.RoutingSnapshot;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import io.undertow.util.SameThreadExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The proxy chain of one router's server, in order: request id, loop protection (this server's own
 * {@code Via} entry already present, then the hop count against {@code maxCallDepth}), whether this caller may override at all
 * ({@code dtabOverrides}), the request's local dtab ({@code l5d-ctx-dtab} then {@code l5d-dtab}, or
 * none with {@code clearContext}),
 * identification, binding under the routing snapshot in force, the choice of a union branch, mirroring,
 * then forwarding. Runs on the IO thread and never blocks: binding reads namer state already in memory.
 *
 * <p>An exception out of this chain (a namer's bug, say) is answered here, 500 with {@code l5d-err},
 * and logged through the {@link FailureLog} with its trace once, rather than left to Undertow, which
 * would log its trace for every request and answer without saying who failed.
 */
final class RouterHandler implements HttpHandler {
  private final Router router;
  private final boolean clearContext;
  private final ServerConfig.Overrides overrides;
  private final Pools pools;
  private final ProxyMetrics metrics;
  private final Mirror mirror;
  private final Deadlines deadlines;
  private final FailureLog log;
  /** This server's own {@code Via} entry: seeing it on an incoming request means the request looped. */
  private final String via = L5dHeaders.newViaEntry();

  RouterHandler(Router router, ServerConfig server, Pools pools, ProxyMetrics metrics, Mirror mirror) {
    this.router = router;
    this.clearContext = server.clearContext();
    this.overrides = server.overrides();
    this.pools = pools;
    this.metrics = metrics;
    this.mirror = mirror;
    long timeout = router.config().requestTimeout().toNanos();
    this.deadlines = timeout > 0 ? new Deadlines(timeout, Nanos.SYSTEM) : null;
    this.log = new FailureLog(FailureLog.installed(), router::nanos);
  }

  /** Stops the timeout sweeps. */
  void close() {
    if (deadlines != null) {
      deadlines.close();
    }
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    try {
      route(exchange);
    } catch (RuntimeException e) {
      log.unexpected(router.label(), "routing " + exchange.getRequestMethod() + " " + exchange.getRequestPath(), e);
      if (!exchange.isRequestComplete()) {
        exchange.setPersistent(false);
      }
      Errors.send(exchange, 500, "Turnout failed while routing the request: " + e);
    }
  }

  private void route(HttpServerExchange exchange) {
    String requestId = requestId(exchange);
    if (passedThisServer(exchange)) {
      Errors.send(exchange, 400, "Routing loop: this request has already passed router " + router.label() + " on "
          + serverAddress(exchange) + " (its entry '" + via + "' is in the Via header)");
      return;
    }
    if (hops(exchange) >= router.config().maxCallDepth()) {
      Errors.send(exchange, 400, "Maximum number of calls (" + router.config().maxCallDepth() + ") has been exceeded. Please check for proxy loops.");
      return;
    }
    if (!clearContext && carriesOverride(exchange) && !mayOverride(exchange)) {
      Errors.send(exchange, 400, "This server does not accept dtab overrides (l5d-dtab, l5d-ctx-dtab) from " + callerAddress(exchange) + " (dtabOverrides: " + overrides.name().toLowerCase(java.util.Locale.ROOT) + ")");
      return;
    }
    Dtab local;
    if (clearContext) {
      clearContext(exchange.getRequestHeaders());
      local = Dtab.EMPTY;
    } else {
      try {
        local = headerDtab(exchange, L5dHeaders.CTX_DTAB).concat(headerDtab(exchange, L5dHeaders.DTAB));
      } catch (IllegalArgumentException e) {
        Errors.send(exchange, 400, e.getMessage());
        return;
      }
    }
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
      Errors.send(exchange, 400, "Unable to identify request: " + e.getMessage());
      return;
    }
    if (id.isEmpty()) {
      Errors.send(exchange, 400, "Unable to identify request: no service name for " + exchange.getRequestMethod() + " " + exchange.getRequestPath());
      return;
    }
    RoutingSnapshot snapshot = router.source().current();
    Identification named = id.get();
    Route route;
    try {
      route = router.bind(snapshot, local, named.service());
    } catch (BindingException e) {
      var stats = metrics.service(router.label(), named.service().show());
      stats.start();
      stats.finish(false, "unroutable", 0);
      String message = unroutable(named, snapshot, local, e.getMessage());
      log.expected(router.label(), "unroutable", 502, message);
      Errors.send(exchange, 502, message);
      return;
    }
    Optional<Route.Target> chosen = Router.choose(route.targets());
    if (chosen.isEmpty()) {
      var stats = metrics.service(router.label(), route.service());
      stats.start();
      stats.finish(false, "unroutable", 0);
      String bound = route.bound().show(b -> b.id().show());
      String message =
          unroutable(
              named, snapshot, local,
              "the name bound to " + bound + " (in dtab notation: ~ nothing matched, $ no endpoints, ! failed)");
      log.expected(router.label(), "unroutable", 502, message);
      Errors.send(exchange, 502, message);
      return;
    }
    String target = Hop.target(named.rewrittenPath(), exchange);
    if (!snapshot.mirrors().isEmpty()) {
      mirror.maybeMirror(exchange, router, snapshot, local, named.service(), target, requestId, via);
    }
    ProxiedRequest proxied =
        new ProxiedRequest(exchange, router, pools, metrics, snapshot, local, named.service(), route.service(), target, requestId, via, deadlines, log, chosen.get());
    keepReading(exchange);
    // Dispatching marks the exchange as asynchronous, so it stays open after this method returns;
    // SameThreadExecutor runs the request right here on the IO thread.
    exchange.dispatch(SameThreadExecutor.INSTANCE, proxied);
  }

  /**
   * Undertow stops reading the caller's connection while a request is in flight and starts again when
   * the answer is out. With the JDK's selector each of those is a system call (the socket leaves the
   * epoll set, then joins it again), two per request on top of the four a proxy needs. For a request
   * without a body on a connection that stays open nothing more is read anyway (a {@code Connection:
   * close} request has had its input shut down already), so the connection is left registered: reading is
   * switched back on here, before the IO loop applies the switch-off, and the loop sees no change. Should
   * the caller send anything before the answer, Undertow's read listener, finding a request running,
   * switches reading off then, as it always did.
   */
  static void keepReading(HttpServerExchange exchange) {
    if (exchange.getConnection() instanceof AbstractServerConnection c
        && exchange.isPersistent()
        && !Hop.hasBody(exchange)
        && !exchange.getRequestHeaders().contains(Headers.UPGRADE)
        && !c.getOriginalSourceConduit().isReadShutdown()) {
      c.getOriginalSourceConduit().resumeReads();
    }
  }

  /**
   * The root request id: the caller's {@code l5d-reqid} when it sent a plausible one, so a chain of
   * proxies logs one id, else a new random one.
   */
  private static String requestId(HttpServerExchange exchange) {
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

  /**
   * Drops what an untrusted caller could use to steer or shape this request: its dtab overrides and
   * every context header ({@code l5d-ctx-*}: dtab, deadline, trace) and the trace sampling rate.
   */
  private static void clearContext(HeaderMap headers) {
    List<HttpString> drop = new ArrayList<>();
    for (HttpString name : headers.getHeaderNames()) {
      String n = name.toString();
      if (n.regionMatches(true, 0, "l5d-ctx-", 0, 8)
          || n.equalsIgnoreCase("l5d-dtab")
          || n.equalsIgnoreCase("l5d-sample")) {
        drop.add(name);
      }
    }
    drop.forEach(headers::remove);
  }

  private static String unroutable(Identification id, RoutingSnapshot snapshot, Dtab local, String why) {
    return "Unable to route request! service: " + id.service().show()
        + "; why: " + why
        + "; dtab: " + snapshot.dtab().concat(local).show()
        + "; base dtab: " + snapshot.dtab().show()
        + "; override dtab: " + local.show();
  }

  private static Dtab headerDtab(HttpServerExchange exchange, io.undertow.util.HttpString name) {
    HeaderValues values = exchange.getRequestHeaders().get(name);
    if (values == null || values.isEmpty()) {
      return Dtab.EMPTY;
    }
    if (values.size() == 1 && values.getFirst().isBlank()) {
      return Dtab.EMPTY;
    }
    Dtab out = Dtab.EMPTY;
    for (String v : values) {
      try {
        out = out.concat(Dtab.read(v));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Invalid " + name + " header: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** True when this server's own {@code Via} entry is already on the request: it has come round again. */
  private boolean passedThisServer(HttpServerExchange exchange) {
    HeaderValues incoming = exchange.getRequestHeaders().get(L5dHeaders.VIA);
    if (incoming == null) {
      return false;
    }
    for (String v : incoming) {
      for (String entry : v.split(",")) {
        if (entry.strip().equals(via)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean carriesOverride(HttpServerExchange exchange) {
    HeaderMap h = exchange.getRequestHeaders();
    return h.contains(L5dHeaders.DTAB) || h.contains(L5dHeaders.CTX_DTAB);
  }

  private boolean mayOverride(HttpServerExchange exchange) {
    switch (overrides) {
      case ACCEPT:
        return true;
      case LOOPBACK:
        InetSocketAddress from = exchange.getSourceAddress();
        return from != null && from.getAddress() != null && from.getAddress().isLoopbackAddress();
      default:
        return false;
    }
  }

  private static String serverAddress(HttpServerExchange exchange) {
    InetSocketAddress at = exchange.getDestinationAddress();
    return at == null || at.getAddress() == null ? "this server" : at.getAddress().getHostAddress() + ":" + at.getPort();
  }

  private static String callerAddress(HttpServerExchange exchange) {
    InetSocketAddress from = exchange.getSourceAddress();
    return from == null || from.getAddress() == null ? "this caller" : from.getAddress().getHostAddress();
  }

  /** The number of proxies the request has passed, counted from its {@code Via} entries. */
  private static int hops(HttpServerExchange exchange) {
    HeaderValues via = exchange.getRequestHeaders().get(L5dHeaders.VIA);
    if (via == null) {
      return 0;
    }
    int n = 0;
    for (String v : via) {
      for (int i = 0; i < v.length(); i++) {
        if (v.charAt(i) == ',') {
          n++;
        }
      }
      n++;
    }
    return n;
  }
}
