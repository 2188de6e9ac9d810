package dev.turnout.proxy;

import dev.turnout.accesslog.AccessLog;
import dev.turnout.config.ServerConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.TrafficStats;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import java.net.InetSocketAddress;
import java.time.Clock;

/**
 * What is observed of every request one router server takes, from the chain's first step to the end
 * of its exchange, whatever became of it (forwarded, refused, or failed): the server's figures
 * (Linkerd's {@code rt:server:*}, by the status the caller got; a 5XX is a failure, as Linkerd's
 * default classifier has it) and the router's access log line. One instance per router server is the
 * completion listener of each of its exchanges, so a request allocates nothing here but its log line.
 *
 * <p>The server is named as Linkerd names it, {@code <ip>/<port>}, with the port it really listens on
 * (a server on port 0 is named when its first request comes in).
 */
final class Observing implements ExchangeCompletionListener {
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
  private volatile TrafficStats stats;

  Observing(ProxyMetrics metrics, String router, ServerConfig server, AccessLog accessLog, Clock clock) {
    this.metrics = metrics;
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
      long latency = started > 0 ? System.nanoTime() - started : 0;
      TrafficStats s = stats(exchange);
      s.status(status);
      boolean failed = status >= 500 && status < 600;
      s.finish(!failed, failed ? FAILED[status - 500] : "", latency);
      if (accessLog != null) {
        accessLog.add(lines.line(exchange));
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
