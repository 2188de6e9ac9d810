package dev.turnout.proxy;

import dev.turnout.accesslog.AccessLog;
import dev.turnout.config.ServerConfig;
import dev.turnout.metrics.Nanos;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.Stripe;
import dev.turnout.metrics.TrafficStats;
import dev.turnout.routing.Identification;
import dev.turnout.tracing.RequestTrace;
import dev.turnout.tracing.Tracing;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.time.Clock;

/**
 * What is observed of every request one router server takes, from the chain's first step to the end
 * of its exchange, whatever became of it (forwarded, refused, or failed): the server's figures
 * (Linkerd's {@code rt:server:*}, by the status the caller got; a 5XX is a failure, as Linkerd's
 * default classifier has it), the router's access log line, and, for a request {@link Tracing} follows,
 * its {@link RequestTrace}, attached to the exchange for the later steps ({@link #TRACE}) and ended
 * here. One instance per router server is the completion listener of each of its exchanges, so a
 * request that is not followed allocates nothing here but its log line.
 *
 * <p>The server is named as Linkerd names it, {@code <ip>/<port>}, with the port it really listens on
 * (a server on port 0 is named when its first request comes in).
 */
final class Observing implements ExchangeCompletionListener {
  /** A followed request's trace; absent on a request that is not followed. */
  static final AttachmentKey<RequestTrace> TRACE = AttachmentKey.create(RequestTrace.class);
  static final HttpString TRACEPARENT = new HttpString("traceparent");
  static final HttpString L5D_CTX_TRACE = new HttpString("l5d-ctx-trace");
  static final HttpString L5D_SAMPLE = new HttpString("l5d-sample");

  /** Failure classes of 5XX answers, made once rather than per failed request. */
  private static final String[] FAILED = new String[100];

  static {
    for (int i = 0; i < FAILED.length; i++) {
      FAILED[i] = Integer.toString(500 + i);
    }
  }

  private final ProxyMetrics metrics;
  private final String router;
  private final ServerConfig server;
  /** Null when the router keeps no access log. */
  private final AccessLog accessLog;
  private final AccessLines lines;
  private final Tracing tracing;
  /** The metrics read {@link Nanos#SYSTEM}, the clock of Undertow's request start time. */
  private final boolean systemClock;
  private volatile TrafficStats stats;

  Observing(
      ProxyMetrics metrics, String router, ServerConfig server, AccessLog accessLog, Tracing tracing, Clock clock) {
    this.metrics = metrics;
    this.systemClock = metrics.clock() == Nanos.SYSTEM;
    this.tracing = tracing;
    this.router = router;
    this.server = server;
    this.accessLog = accessLog;
    this.lines = accessLog == null ? null : new AccessLines(clock);
    if (server.port() != 0) {
      stats = metrics.server(router, server.ip() + "/" + server.port());
    }
  }

  /** The chain has taken {@code exchange}: it is counted in flight until its exchange ends. */
  void begin(HttpServerExchange exchange) {
    stats(exchange).start();
    exchange.addExchangeCompleteListener(this);
    if (tracing.on()) {
      HeaderMap in = exchange.getRequestHeaders();
      // clearContext: the caller's l5d-ctx-* headers are not trusted, its trace context among them, and
      // nor is its l5d-sample (an untrusted caller must not have every request traced and exported)
      RequestTrace t =
          tracing.begin(
              router,
              exchange.getRequestMethod().toString(),
              exchange.getRequestPath(),
              in.getFirst(TRACEPARENT),
              server.clearContext() ? null : in.getFirst(L5D_CTX_TRACE),
              server.clearContext() ? null : in.getFirst(L5D_SAMPLE));
      if (t != null) {
        exchange.putAttachment(TRACE, t);
      }
    }
  }

  /** The request has its service name: a followed request's trace records it, even if it goes no further. */
  void named(HttpServerExchange exchange, Identification named) {
    if (tracing.on()) {
      RequestTrace t = exchange.getAttachment(TRACE);
      if (t != null) {
        t.routed(named.service().show());
      }
    }
  }

  private TrafficStats stats(HttpServerExchange exchange) {
    TrafficStats s = stats;
    if (s == null) {
      InetSocketAddress local = exchange.getConnection().getLocalAddress(InetSocketAddress.class);
      s = metrics.server(router, server.ip() + "/" + (local == null ? 0 : local.getPort()));
      stats = s;
    }
    return s;
  }

  @Override
  public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
    try {
      int status = exchange.getStatusCode();
      long started = exchange.getRequestStartTime();
      long now = metrics.nanos();
      // Undertow's start time is System.nanoTime's, which the metrics' clock is but in tests
      long latency = started > 0 ? (systemClock ? now : System.nanoTime()) - started : 0;
      TrafficStats s = stats(exchange);
      int stripe = Stripe.index();
      s.status(stripe, status);
      boolean failed = status >= 500 && status < 600;
      s.finish(stripe, now, !failed, failed ? FAILED[status - 500] : "", latency);
      if (accessLog != null) {
        accessLog.add(lines.line(exchange));
      }
      RequestTrace t = exchange.getAttachment(TRACE);
      if (t != null) {
        t.end(status);
      }
    } finally {
      next.proceed();
    }
  }

  /** Writes what the access log has queued and closes it. */
  void close() {
    if (accessLog != null) {
      accessLog.close();
    }
  }
}
