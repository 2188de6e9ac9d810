package dev.turnout.proxy;

import dev.turnout.metrics.Stripe;
import dev.turnout.metrics.TrafficStats;
import dev.turnout.proxy.upstream.HeaderSink;
import dev.turnout.proxy.upstream.UpstreamRequest;
import dev.turnout.routing.ResponseClass;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import dev.turnout.routing.ServicePolicy;
import dev.turnout.tracing.RequestTrace;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import java.io.Closeable;
import org.xnio.IoUtils;

/**
 * What every state of a request going upstream shares: the exchange and what routing decided, what
 * the upstream client reads of the request (its target, headers and held body), and how the request
 * ends: failed with {@code l5d-err}, failed by a bug (500, logged with its trace once), or its exchange
 * over, when it is counted once. The attempts and their outcomes are the subclass's. Touched by the
 * exchange's IO thread only.
 */
abstract class ForwardedRequest implements UpstreamRequest, ExchangeCompletionListener {
  final HttpServerExchange exchange;
  final Routed routed;
  final PerRouter shared;
  final boolean hasBody;
  /** An HTTP/2 request of content type {@code application/grpc}: judged and answered as a gRPC call. */
  final boolean grpc;
  final TrafficStats serviceStats;
  final long startNanos;
  /** What applies to the request's service name: classifier, retry budget, backoff, total timeout. */
  final ServicePolicy policy;
  /** The request's trace when it is followed ({@link Observing}); else null. */
  final RequestTrace trace;
  /** The target the current attempts go to: the one routing chose, or what a retry re-bound to. */
  Route.Target target;
  /** The whole request body when it was small enough to hold ({@link BufferedBody}); else null. */
  byte[] body;
  /** The current attempt's backend connection, either client's; null between attempts. */
  Closeable connection;
  boolean finished;
  Deadlines.Entry deadline;
  /** What the request is counted as when its exchange ends: {@link #failureClass} says why not. */
  private boolean succeeded = true;
  private String failureClass = "";

  ForwardedRequest(HttpServerExchange exchange, Routed routed, PerRouter shared) {
    this.exchange = exchange;
    this.routed = routed;
    this.shared = shared;
    this.hasBody = Hop.hasBody(exchange);
    this.grpc = GrpcAnswers.isGrpc(exchange);
    this.serviceStats = shared.metrics.service(router().label(), routed.serviceName());
    this.startNanos = routed.routedNanos(); // routed in this event: no second clock read
    this.policy = router().policy(routed.service());
    this.trace = exchange.getAttachment(Observing.TRACE);
    if (trace != null) {
      trace.routed(routed.serviceName());
    }
  }

  final Router router() {
    return routed.router();
  }

  // ---- what the upstream client reads

  @Override
  public HttpServerExchange exchange() {
    return exchange;
  }

  @Override
  public String target() {
    return routed.requestTarget();
  }

  @Override
  public void headers(HeaderSink out) {
    // a traced request's backend has this attempt's span for its parent; a tracestate the caller sent
    // goes on as it came
    boolean traced = trace != null && trace.traced();
    UpstreamHeaders.write(
        out,
        exchange,
        routed,
        target,
        UpstreamHeaders.upgradeAsked(exchange),
        hasBody,
        body,
        traced ? trace.traceparent() : null,
        traced ? trace.l5dCtxTrace() : null);
  }

  /**
   * The exchange's response headers while nothing is in them and no answer (an error) has begun: an
   * HTTP/1.1 answer is parsed straight into them.
   */
  @Override
  public HeaderMap answerHeaders() {
    HeaderMap own = exchange.getResponseHeaders();
    return finished || exchange.isResponseStarted() || own.size() != 0 ? null : own;
  }

  @Override
  public byte[] body() {
    return body;
  }

  @Override
  public boolean hasBody() {
    return hasBody;
  }

  @Override
  public boolean over() {
    return finished;
  }

  /** The connect timeout, or the request's remaining time when that is shorter (at least 1 ms). */
  @Override
  public long queueWait(long connectTimeout) {
    long timeout = policy.totalTimeout().orElse(router().config().requestTimeout()).toMillis();
    if (timeout <= 0) {
      return connectTimeout;
    }
    long left = timeout - (router().nanos() - startNanos) / 1_000_000;
    return Math.max(1, Math.min(connectTimeout, left));
  }

  @Override
  public void using(Closeable c) {
    connection = c;
  }

  // ---- endings

  /** The request's outcome is known: it is counted as {@code cls} ({@code why}) when its exchange ends. */
  final void settle(ResponseClass cls, String why) {
    finished = true;
    succeeded = cls.isSuccess();
    failureClass = why;
  }

  /** Runs a step of the request; an exception from it is a bug, answered 500 instead of hanging. */
  final void guarded(String where, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      unexpected(where, e);
    }
  }

  /**
   * An exception nobody expected: logged (its trace once), the backend connection closed, and the
   * caller answered 500 with {@code l5d-err}, or its connection closed if the answer had begun.
   */
  @Override
  public void unexpected(String where, RuntimeException e) {
    shared.log.unexpected(router().label(), where, e);
    Closeable open = connection;
    connection = null;
    if (open != null) {
      IoUtils.safeClose(open);
    }
    if (finished) {
      IoUtils.safeClose(exchange.getConnection());
      return;
    }
    try {
      fail(500, "internal", "Turnout failed while " + where + " for " + routed.serviceName() + ": " + e);
    } catch (RuntimeException again) {
      IoUtils.safeClose(exchange.getConnection());
    }
  }

  final void fail(int status, String why, String message) {
    fail(status, why, message, -1);
  }

  /** As above, a gRPC call being told {@code grpcStatus} (when not -1) rather than UNAVAILABLE. */
  final void fail(int status, String why, String message, int grpcStatus) {
    if (!"internal".equals(why)) {
      shared.log.expected(router().label(), why, status, message);
    }
    if (!exchange.isRequestComplete()) {
      // The caller is still sending (or stalled in) its body: close its connection after this answer
      // instead of waiting to drain the rest, so the exchange ends now and holds nothing.
      exchange.setPersistent(false);
    }
    settle(ResponseClass.FAILURE, why);
    Errors.send(exchange, status, message, grpcStatus);
  }

  /** The exchange is over: cancel the timer and count the request once, then the other listeners run. */
  @Override
  public void exchangeEvent(HttpServerExchange ex, ExchangeCompletionListener.NextListener next) {
    if (deadline != null) {
      deadline.request = null;
      deadline = null;
    }
    if (!finished) {
      finished = true;
      succeeded = false;
      failureClass = "cancelled";
    }
    if (connection != null && router().config().h2()) {
      // an h2 attempt's connection is its own stream: one still open (the caller reset its stream, or
      // went away) is reset upstream too, as gRPC's cancellation expects
      Closeable stream = connection;
      connection = null;
      IoUtils.safeClose(stream);
    }
    int stripe = Stripe.index();
    serviceStats.status(stripe, ex.getStatusCode());
    long now = shared.metrics.nanos();
    long routerNow = shared.oneClock ? now : router().nanos();
    serviceStats.finish(stripe, now, succeeded, failureClass, routerNow - startNanos);
    next.proceed();
  }
}
