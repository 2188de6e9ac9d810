package dev.turnout.proxy;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.TrafficStats;
import dev.turnout.naming.Addr;
import dev.turnout.naming.BindingException;
import dev.turnout.proxy.upstream.UpstreamClient;
import dev.turnout.proxy.upstream.UpstreamRequest;
import dev.turnout.routing.Client;
import dev.turnout.routing.Endpoint;
import dev.turnout.routing.ResponseClass;
import dev.turnout.routing.ResponseClassifier;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import dev.turnout.routing.RoutingSnapshot;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * One request on its way through the proxy, from the chosen bound name to the last byte of the
 * response. Every step runs on the exchange's IO thread (pool callbacks, client callbacks and the
 * timeout all do), so its fields need no locking.
 *
 * <p>A request body of at most {@link BufferedBody#LIMIT} bytes with a declared {@code Content-Length}
 * is read whole before the first attempt (without blocking) and kept as bytes; any other body (chunked
 * or larger) is streamed from the caller while the first attempt sends it, and is never held.
 *
 * <p>An <b>attempt</b> picks an endpoint of the client, takes a pooled connection, sends the request
 * head and then the held bytes or the streamed body. A connection refused, or not made within the
 * client's connect timeout (a host that drops connection attempts rather than refusing them), counts
 * against the endpoint and tries again, re-binding so that failover to another alternative can happen
 * within this very request. A response the classifier calls retryable, or a connection that breaks
 * before answering, is discarded and the request sent again when it can be replayed (no body, or a
 * held one) and the router's retry budget and {@link #MAX_ATTEMPTS} allow; a streamed body was read
 * once, so such a request is never sent twice. Otherwise the response head is copied (hop-by-hop
 * headers dropped) and its body streamed to the caller, never held whole.
 *
 * <p><b>Attempts run in a loop, never by recursion.</b> The pool often reports a refused connection
 * inside the very call that asked for it; that report only marks the attempt for a retry, and the loop
 * in {@link #attempt()} starts the next one once the call has returned, so a name bound to thousands of
 * refusing endpoints uses one stack frame per attempt in turn, not one per endpoint.
 *
 * <p><b>Failures</b>: an expected one (refused, reset, timeout, unknown host, no endpoints) is counted
 * in the metrics, answered with {@code l5d-err}, and written to the {@link FailureLog} as one folded
 * line, never with a stack trace. An exception from Turnout's own code in any callback is logged once
 * with its trace there and answered 500 with {@code l5d-err}, and the backend connection is closed, so
 * neither side is left hanging.
 *
 * <p><b>Two clients.</b> A request without a body or with a held one, asking for no upgrade, goes by
 * Turnout's own {@link dev.turnout.proxy.upstream.Http1Client}; a streamed body or an upgrade goes by
 * Undertow's ({@link dev.turnout.proxy.upstream.UndertowUpstream}). The client is chosen once, when the
 * request starts; both report to this object as the {@link UpstreamRequest} they carry, and share the
 * attempt loop, the connect timeout, and {@link #takeAnswer} for what is done with an answer.
 *
 * <p><b>What a request allocates</b> beyond Undertow's own objects is this object, one connection wait
 * per attempt (on Undertow's client also its response handler) and the request id: the request is
 * itself the task dispatched on the IO thread, the listener of its exchange's end and what its
 * deadline holds, and the callbacks that run on every request catch their own exceptions rather than
 * wrap a lambda in {@link #guarded}.
 */
final class ProxiedRequest implements Runnable, ExchangeCompletionListener, UpstreamRequest, Deadlines.Timed {
  private static final int MAX_ATTEMPTS = 4;
  /**
   * Read here and not passed on: the dtab headers (the local dtab goes out as {@code l5d-ctx-dtab}),
   * {@code Via} (extended), {@code Expect} (the caller's 100-continue is answered by this server as the
   * body is first read), and the destination headers this hop sets itself, so a caller's stale or
   * forged {@code l5d-dst-residual} never reaches a backend whose residual is empty.
   */
  private static final Set<HttpString> NOT_FORWARDED =
      Set.of(
          L5dHeaders.DTAB,
          L5dHeaders.CTX_DTAB,
          L5dHeaders.VIA,
          Headers.EXPECT,
          L5dHeaders.DST_SERVICE,
          L5dHeaders.DST_CLIENT,
          L5dHeaders.DST_RESIDUAL,
          L5dHeaders.REQID);

  private final HttpServerExchange exchange;
  private final Router router;
  private final Pools pools;
  private final ProxyMetrics metrics;
  private final RoutingSnapshot snapshot;
  private final Dtab local;
  private final Path service;
  private final String serviceName;
  /** The request line's target: the path (as the identifier left it) and the query. */
  private final String requestTarget;
  private final String requestId;
  /** The {@code Via} entry of the server the request came in on. */
  private final String via;
  private final boolean hasBody;
  private final TrafficStats serviceStats;
  private final long startNanos;
  private final Deadlines deadlines;
  private final FailureLog log;

  private final Route.Target first;
  private Route.Target target;
  private Client client;
  private TrafficStats clientStats;
  private TrafficStats serviceClientStats;
  /** The endpoints this request has tried on its current client; most requests try one. */
  private List<Endpoint> tried = List.of();
  private int attempts;
  /** True while {@link #attempt()}'s loop runs: a retry asked for inside it is left to the loop. */
  private boolean attempting;
  /** A retry was asked for while the loop ran. */
  private boolean again;
  /** The request has waited once for a pending address (a host name DNS had not answered yet). */
  private boolean waitedForAddr;
  private Endpoint endpoint;
  private TrafficStats endpointStats;
  private long attemptStart;
  /** The current attempt's backend connection, either client's; null between attempts. */
  private Closeable connection;
  private boolean finished;
  private Deadlines.Entry deadline;
  private ResponseClass outcome = ResponseClass.SUCCESS;
  private String failureClass = "";
  /** The whole request body when it was small enough to hold ({@link BufferedBody}); else null. */
  private byte[] body;
  /**
   * The client every attempt goes by: Turnout's own when the request has no body or one held whole,
   * and asks for no upgrade; otherwise (a streamed body, a WebSocket) Undertow's.
   */
  private UpstreamClient upstream;

  ProxiedRequest(
      HttpServerExchange exchange,
      Router router,
      Pools pools,
      ProxyMetrics metrics,
      RoutingSnapshot snapshot,
      Dtab local,
      Path service,
      String serviceName,
      String requestTarget,
      String requestId,
      String via,
      Deadlines deadlines,
      FailureLog log,
      Route.Target first) {
    this.exchange = exchange;
    this.router = router;
    this.pools = pools;
    this.metrics = metrics;
    this.snapshot = snapshot;
    this.local = local;
    this.service = service;
    this.serviceName = serviceName;
    this.requestTarget = requestTarget;
    this.requestId = requestId;
    this.via = via;
    this.hasBody = Hop.hasBody(exchange);
    this.serviceStats = metrics.service(router.label(), serviceName);
    this.startNanos = router.nanos();
    this.deadlines = deadlines;
    this.log = log;
    this.first = first;
  }

  /**
   * Starts the request on {@code first}, the target chosen when it was routed: the task that {@code
   * exchange.dispatch(SameThreadExecutor.INSTANCE, request)} runs on the IO thread.
   */
  @Override
  public void run() {
    start(first);
  }

  /** Starts the request: the stats, the timeout, then the first attempt. */
  void start(Route.Target first) {
    try {
      begin(first);
    } catch (RuntimeException e) {
      unexpected("starting the request", e);
    }
  }

  private void begin(Route.Target first) {
    serviceStats.start();
    router.retryBudget().deposit();
    exchange.addExchangeCompleteListener(this);
    if (deadlines != null) {
      deadline = deadlines.add(this, exchange.getIoThread());
    }
    use(first);
    Optional<BufferedBody> small = hasBody ? BufferedBody.of(exchange) : Optional.empty();
    upstream = pools.client(!upgradeAsked() && (!hasBody || small.isPresent()));
    if (small.isPresent()) {
      small.get().read(this::bodyRead, this::bodyFailed);
      return;
    }
    attempt();
  }

  /** The whole body is here: every attempt sends these bytes, so the request may be retried. */
  private void bodyRead(byte[] bytes) {
    if (finished) {
      return;
    }
    body = bytes;
    try {
      attempt();
    } catch (RuntimeException e) {
      // Called from the body's read listener, where XNIO would only log it: answer instead of hanging.
      unexpected("sending the request", e);
    }
  }

  /** The caller's body ended short: nothing was sent upstream, and the caller hears why if it listens. */
  private void bodyFailed(String why) {
    if (finished) {
      return;
    }
    fail(400, "body", why + " (service " + serviceName + ")");
  }

  /**
   * Whether sending the request twice means the same as sending it once (RFC 9110 section 9.2.2). A
   * connection that breaks after the request went out may have broken after the backend acted on it,
   * so only these are sent again then; a POST is not, whatever its body.
   */
  private boolean idempotent() {
    return ResponseClassifier.isIdempotent(exchange.getRequestMethod().toString());
  }

  /**
   * The caller asks to switch protocols. Not for {@code h2c} alone, which is read as no upgrade: the
   * Upgrade header is hop-by-hop and a server may ignore it (RFC 9110 section 7.8), RFC 9113 retired
   * h2c upgrades, and a backend that took one would carry every later request of that connection
   * past routing. Java's own HTTP client asks for it on every plain-HTTP request by default.
   */
  private boolean upgradeAsked() {
    String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
    return upgrade != null && !upgrade.trim().equalsIgnoreCase("h2c");
  }

  /** Whether the request can be sent again: it has no body, or one held whole. */
  private boolean replayable() {
    return !hasBody || body != null;
  }

  private void use(Route.Target next) {
    target = next;
    client = next.client();
    clientStats = metrics.client(router.label(), next.id());
    serviceClientStats = metrics.serviceClient(router.label(), serviceName, next.id());
  }

  /**
   * Runs attempts until one is under way or the request has ended. Called again from inside an attempt
   * (the pool reporting a refusal within its connect call), it only asks this loop for another round.
   */
  private void attempt() {
    if (attempting) {
      again = true;
      return;
    }
    attempting = true;
    try {
      do {
        again = false;
        if (!finished) {
          attemptOnce();
        }
      } while (again && !finished);
    } finally {
      attempting = false;
    }
  }

  private void attemptOnce() {
    Optional<Endpoint> picked = client.pick(tried);
    if (picked.isEmpty()) {
      noEndpoint();
      return;
    }
    attempts++;
    endpoint = picked.get();
    if (tried.isEmpty()) {
      tried = List.of(endpoint);
    } else {
      List<Endpoint> more = new ArrayList<>(tried);
      more.add(endpoint);
      tried = more;
    }
    endpointStats =
        metrics.endpoint(router.label(), target.id(), endpoint.key(), endpointEjected(endpoint));
    attemptStart = router.nanos();
    router.attemptStarted(endpoint);
    endpointStats.start();
    clientStats.start();
    serviceClientStats.start();
    long connectTimeout = router.config().client().connectTimeout().toMillis();
    upstream.start(endpoint, connectTimeout, this);
  }

  /**
   * The client has no endpoint to try. A pending address (a host name DNS has not answered yet, a name
   * the control plane has not bound yet) is waited for, up to the router's {@code bindingTimeoutMs},
   * as Linkerd 1 waits for a pending name; any other state is a
   * 502 that says what the address is: unknown host, failed (a malformed address names itself), or
   * bound to no endpoint.
   */
  private void noEndpoint() {
    var state = client.state();
    if (state instanceof Addr.Pending && !waitedForAddr) {
      waitForAddr();
      return;
    }
    String why;
    if (state instanceof Addr.Neg) {
      why = "the address of " + target.id() + " does not exist (unknown host or name gone)";
    } else if (state instanceof Addr.Failed f) {
      why = f.message();
    } else if (state instanceof Addr.Pending) {
      why = "the address of " + target.id() + " was still being resolved after the router's "
          + router.config().bindingTimeout().toMillis() + " ms binding timeout (bindingTimeoutMs)";
    } else {
      why = "No hosts are available for " + target.id();
    }
    fail(502, "connect", why + " (service " + serviceName + ", client " + target.id() + ")");
  }

  private void waitForAddr() {
    waitedForAddr = true;
    XnioExecutor io = exchange.getIoThread();
    AddrWait wait = new AddrWait();
    // The variable changes on a DNS thread; the request goes on on its own IO thread.
    wait.subscription = client.onStateChange(() -> io.execute(wait::resume));
    wait.timer = io.executeAfter(wait::resume, router.config().bindingTimeout().toMillis(), TimeUnit.MILLISECONDS);
    if (!(client.state() instanceof Addr.Pending)) {
      // Answered between the first look and the observer's registration.
      io.execute(wait::resume);
    }
  }

  /** One wait for a pending address; whichever of the answer and the timer comes first ends it. */
  private final class AddrWait {
    AutoCloseable subscription;
    XnioExecutor.Key timer;
    private boolean done;

    /** Runs on the IO thread (after {@link #waitForAddr()} has returned, so both fields are set). */
    void resume() {
      if (done) {
        return;
      }
      done = true;
      timer.remove();
      try {
        subscription.close();
      } catch (Exception cannotHappen) {
        // closing a Var observer only removes it from a list
      }
      guarded("waiting for an address", () -> attempt());
    }
  }

  /** The connect timeout, or the request's remaining time when that is shorter (at least 1 ms). */
  @Override
  public long queueWait(long connectTimeout) {
    long timeout = router.config().requestTimeout().toMillis();
    if (timeout <= 0) {
      return connectTimeout;
    }
    long left = timeout - (router.nanos() - startNanos) / 1_000_000;
    return Math.max(1, Math.min(connectTimeout, left));
  }

  private static java.util.function.Supplier<Boolean> endpointEjected(Endpoint e) {
    return () -> !e.accrual().usable();
  }

  /** Ends the current attempt's bookkeeping. */
  private void attemptDone(ResponseClass cls, String why) {
    long latency = router.nanos() - attemptStart;
    router.attemptFinished(endpoint);
    boolean ok = cls.isSuccess();
    endpointStats.finish(ok, why, latency);
    clientStats.finish(ok, why, latency);
    serviceClientStats.finish(ok, why, latency);
  }

  /** The endpoint could not be reached: it counts against the endpoint, and another is tried. */
  private void refused(Endpoint to, String why) {
    router.connectFailed(to);
    attemptDone(ResponseClass.RETRYABLE_FAILURE, "connect");
    retryElsewhere(why);
  }

  /**
   * After a failed connection: another endpoint, or, when the bound tree now prefers another
   * alternative (this client's endpoints are all out), the new one. Nothing was sent, so this is safe.
   */
  private void retryElsewhere(String why) {
    if (attempts >= MAX_ATTEMPTS || !(router.retryBudget().tryWithdraw() || attempts < 2)) {
      fail(502, "connect", why + " (service " + serviceName + ", client " + target.id() + ")");
      return;
    }
    serviceStats.retried();
    rebind();
    attempt();
  }

  private void rebind() {
    try {
      Optional<Route.Target> next = Router.choose(router.bind(snapshot, local, service).targets());
      if (next.isPresent() && next.get().client() != client) {
        tried = List.of();
        use(next.get());
      }
    } catch (BindingException e) {
      // keep the current client: the retry goes to another of its endpoints
    }
  }

  // ---- what the upstream client asks and reports (UpstreamRequest)

  @Override
  public HttpServerExchange exchange() {
    return exchange;
  }

  @Override
  public String target() {
    return requestTarget;
  }

  @Override
  public void headers(HeaderMap h) {
    upstreamHeaders(h);
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

  @Override
  public void using(Closeable c) {
    connection = c;
  }

  @Override
  public void unreachable(Endpoint to, String why) {
    refused(to, why);
  }

  @Override
  public void busy(Endpoint to, String why) {
    attemptDone(ResponseClass.RETRYABLE_FAILURE, "busy");
    retryElsewhere(why);
  }

  @Override
  public void notSent(Closeable conn, IOException e) {
    guarded("sending the request", () -> stale(conn, e));
  }

  @Override
  public void broken(String where, Closeable conn, IOException e) {
    guarded(where, () -> connectionBroke(conn, e));
  }

  @Override
  public boolean answered(Closeable conn, int status, HeaderMap headers) {
    return takeAnswer(conn, status, headers);
  }

  @Override
  public void relayFailed(IOException e) {
    if (e.getCause() instanceof RuntimeException bug) {
      log.unexpected(router.label(), "relaying the response", bug);
    }
    IoUtils.safeClose(exchange.getConnection());
  }

  // ---- the request

  /** The headers the backend gets: the caller's end-to-end ones and this hop's own. */
  private void upstreamHeaders(HeaderMap h) {
    Hop.copy(exchange.getRequestHeaders(), h, NOT_FORWARDED);
    if (upgradeAsked()) {
      h.put(Headers.CONNECTION, "Upgrade");
      h.put(Headers.UPGRADE, exchange.getRequestHeaders().getFirst(Headers.UPGRADE));
    }
    if (hasBody && !h.contains(Headers.CONTENT_LENGTH)) {
      h.put(Headers.TRANSFER_ENCODING, Headers.CHUNKED.toString());
    }
    if (body != null) {
      h.put(Headers.CONTENT_LENGTH, body.length);
    }
    h.put(L5dHeaders.VIA, L5dHeaders.appendVia(exchange.getRequestHeaders().get(L5dHeaders.VIA), via));
    h.put(L5dHeaders.DST_SERVICE, serviceName);
    h.put(L5dHeaders.DST_CLIENT, target.id());
    if (!target.residual().isEmpty()) {
      h.put(L5dHeaders.DST_RESIDUAL, target.residual());
    }
    h.put(L5dHeaders.REQID, requestId);
    if (!local.isEmpty()) {
      h.put(L5dHeaders.CTX_DTAB, local.show());
    }
  }

  private void stale(Closeable conn, IOException e) {
    if (!dropIfCurrent(conn)) {
      return;
    }
    attemptDone(ResponseClass.RETRYABLE_FAILURE, "connect");
    retryElsewhere("connection to " + endpoint.key() + " closed before the request went out: " + e.getMessage());
  }

  /**
   * Closes a connection reported as failed; true when it was the current attempt's and the request is
   * still going, i.e. when the report is for this caller to act on. An earlier attempt's connection was
   * already dealt with: a second report must not retry again.
   */
  private boolean dropIfCurrent(Closeable conn) {
    IoUtils.safeClose(conn);
    if (conn != connection) {
      return false;
    }
    connection = null;
    return !finished;
  }

  /** The backend connection broke before or while answering. */
  private void connectionBroke(Closeable conn, IOException e) {
    if (!dropIfCurrent(conn)) {
      return;
    }
    if (exchange.isResponseStarted()) {
      finished = true;
      outcome = ResponseClass.FAILURE;
      failureClass = "reset";
      IoUtils.safeClose(exchange.getConnection());
      return;
    }
    attemptDone(ResponseClass.RETRYABLE_FAILURE, "reset");
    router.recordOutcome(endpoint, ResponseClass.RETRYABLE_FAILURE, router.nanos() - attemptStart);
    if (replayable() && idempotent() && attempts < MAX_ATTEMPTS && router.retryBudget().tryWithdraw()) {
      serviceStats.retried();
      rebind();
      attempt();
      return;
    }
    String why = reason(e);
    fail(502, "reset", "connection to " + endpoint.key() + " failed: " + why);
  }

  private static String reason(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  // ---- the response

  /**
   * Takes a backend's answer to the current attempt: true when it is the request's answer, its status
   * and headers now set on the exchange and its body for the caller to relay; false when it was not
   * taken (the request had ended, or the answer is retried), its connection closed.
   */
  private boolean takeAnswer(Closeable conn, int status, HeaderMap headers) {
    if (finished) {
      IoUtils.safeClose(conn);
      return false;
    }
    ResponseClass cls = router.classifier().classify(exchange.getRequestMethod().toString(), status);
    String why = cls.isSuccess() ? "" : Integer.toString(status);
    attemptDone(cls, why);
    router.recordOutcome(endpoint, cls, router.nanos() - attemptStart);
    if (cls == ResponseClass.RETRYABLE_FAILURE
        && replayable()
        && attempts < MAX_ATTEMPTS
        && router.retryBudget().tryWithdraw()) {
      connection = null;
      IoUtils.safeClose(conn);
      serviceStats.retried();
      attempt();
      return false;
    }
    finished = true;
    outcome = cls;
    failureClass = why;
    exchange.setStatusCode(status);
    Hop.copy(headers, exchange.getResponseHeaders(), Set.of());
    exchange.getResponseHeaders().put(L5dHeaders.SUCCESS_CLASS, cls.isSuccess() ? "1.0" : "0.0");
    if (cls == ResponseClass.RETRYABLE_FAILURE) {
      exchange.getResponseHeaders().put(L5dHeaders.RETRYABLE, "true");
    }
    return true;
  }

  // ---- endings

  /** The router's request timeout has passed (called by {@link Deadlines} on the IO thread). */
  @Override
  public void timedOut() {
    guarded("timing the request out", this::expire);
  }

  private void expire() {
    deadline = null;
    if (finished) {
      return;
    }
    if (endpoint != null) {
      attemptDone(ResponseClass.FAILURE, "timeout");
    }
    // Finished before the connection is closed: closing may report the broken connection at once,
    // and that report must not start a retry.
    fail(
        503,
        "timeout",
        "exceeded " + router.config().requestTimeout().toMillis() + " ms request timeout for "
            + serviceName);
    Closeable open = connection;
    connection = null;
    if (open != null) {
      IoUtils.safeClose(open);
    }
  }

  /** Runs a step of the request; an exception from it is a bug, answered 500 instead of hanging. */
  private void guarded(String where, Runnable step) {
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
    log.unexpected(router.label(), where, e);
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
      fail(500, "internal", "Turnout failed while " + where + " for " + serviceName + ": " + e);
    } catch (RuntimeException again) {
      IoUtils.safeClose(exchange.getConnection());
    }
  }

  private void fail(int status, String why, String message) {
    if (!"internal".equals(why)) {
      log.expected(router.label(), why, status, message);
    }
    if (!exchange.isRequestComplete()) {
      // The caller is still sending (or stalled in) its body: close its connection after this answer
      // instead of waiting to drain the rest, so the exchange ends now and holds nothing.
      exchange.setPersistent(false);
    }
    finished = true;
    outcome = ResponseClass.FAILURE;
    failureClass = why;
    Errors.send(exchange, status, message);
  }

  /** The exchange is over: the request is counted, then the exchange's other listeners run. */
  @Override
  public void exchangeEvent(HttpServerExchange ex, ExchangeCompletionListener.NextListener next) {
    completed();
    next.proceed();
  }

  /** The exchange is over: cancel the timer and count the request once. */
  private void completed() {
    if (deadline != null) {
      deadline.request = null;
      deadline = null;
    }
    if (!finished) {
      finished = true;
      outcome = ResponseClass.FAILURE;
      failureClass = "cancelled";
    }
    serviceStats.finish(outcome.isSuccess(), failureClass, router.nanos() - startNanos);
  }
}
