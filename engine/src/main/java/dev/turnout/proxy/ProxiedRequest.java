package dev.turnout.proxy;

import dev.turnout.metrics.Stripe;
import dev.turnout.metrics.TrafficStats;
import dev.turnout.naming.Addr;
import dev.turnout.proxy.RetryRule.Failure;
import dev.turnout.proxy.upstream.ReplayPrefix;
import dev.turnout.proxy.upstream.StreamReset;
import dev.turnout.proxy.upstream.UpstreamClient;
import dev.turnout.proxy.upstream.UpstreamRequest;
import dev.turnout.routing.Client;
import dev.turnout.routing.Endpoint;
import dev.turnout.routing.GrpcClassifier;
import dev.turnout.routing.ResponseClass;
import dev.turnout.routing.RetryBudget;
import dev.turnout.routing.Route;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.xnio.Cancellable;
import org.xnio.IoUtils;

/**
 * One request on its way upstream, from what routing decided ({@link Routed}) to the last byte of the
 * response: what the chain's forwarding step starts. Every step runs on the exchange's IO thread
 * (pool callbacks, client callbacks and the timeout all do), so its fields need no locking.
 *
 * <p>A body of at most {@link BufferedBody#LIMIT} bytes with a declared {@code Content-Length} is read
 * whole before the first attempt (without blocking) and kept; any other body is streamed from the
 * caller while the first attempt sends it, and is never held. The upstream client is chosen once:
 * Turnout's own for no body or a held one and no upgrade, Undertow's for the rest.
 *
 * <p>An <b>attempt</b> picks an endpoint of the current routing client and hands the request to the
 * {@link UpstreamClient}, which connects, sends, and reports back through {@link UpstreamRequest}. An
 * endpoint not reached counts against it. Whether a failed attempt is sent again, re-bound first or
 * not, is the one {@link RetryRule}. A taken answer's head is set on the exchange (hop-by-hop headers
 * dropped; Turnout's client parses it there, Undertow's is copied) and its body streamed to the
 * caller by the client. <b>Attempts run in a loop, never by recursion</b>: a
 * refusal reported inside the call that asked for a connection only marks the attempt for a retry,
 * and {@link #attempt()} starts the next once the call has returned, so a name bound to thousands of
 * refusing endpoints uses one stack frame per attempt in turn.
 *
 * <p><b>Time</b>: the whole request has the service's {@code totalTimeoutMs} (else the router's
 * {@code requestTimeoutMs}), its attempts, retries and backoffs included; past it the caller gets 503
 * and the current attempt is given up (its connection closed, or its wait for one cancelled). Each
 * attempt may have the client's {@code requestAttemptTimeoutMs} until its answer's head, past which
 * it is given up the same way and judged by the classifier. A retry after an answer, a broken
 * connection or an attempt timeout waits the service's backoff first, on the IO thread's timer.
 *
 * <p><b>Failures</b>: an expected one (refused, reset, timeout, unknown host, no endpoints) is counted,
 * answered with {@code l5d-err} and written to the {@link FailureLog} as one folded line. An exception
 * from Turnout's own code in any callback is logged once with its trace, answered 500, and the backend
 * connection closed, so neither side is left hanging.
 *
 * <p><b>What a request allocates</b> here is this object and one connection wait per attempt (on
 * Undertow's client also its response handler): the request is itself the task dispatched on the IO
 * thread, the listener of its exchange's end and what its deadline holds, and the callbacks that run
 * on every request catch their own exceptions rather than wrap a lambda in {@link #guarded}.
 *
 * <p>Why one class of this size: its fields are one request's attempt state on one IO thread (target,
 * endpoint, tried endpoints, held body, timers, figures), and each step reads and changes several of
 * them; split, the parts would share that mutable state. What needs none of it lives apart: {@link
 * RetryRule}, {@link Deadlines}, {@link BufferedBody}, {@link AddressWait} and the upstream clients.
 */
final class ProxiedRequest extends ForwardedRequest implements Runnable, Deadlines.Timed {
  private TrafficStats clientStats;
  private TrafficStats serviceClientStats;
  /**
   * The endpoints this request has tried on its current client, but for {@link #endpoint} until
   * {@link #endpointTried}: the list is made only when a second attempt picks, so the one attempt most
   * requests make allocates none.
   */
  private List<Endpoint> tried = List.of();
  private boolean endpointTried;
  private int attempts;
  /** True while {@link #attempt()}'s loop runs: a retry asked for inside it is left to the loop. */
  private boolean attempting;
  /** A retry was asked for while the loop ran. */
  private boolean again;
  /** The request has waited once for a pending address (a host name DNS had not answered yet). */
  private boolean waitedForAddr;
  /** How many times this request moved on from a name that turned out not to exist. */
  private int fallbacks;
  /** Bounds those moves: a dtab's alternatives are few, and each is bound afresh. */
  private static final int MAX_FALLBACKS = 8;
  private Endpoint endpoint;
  private TrafficStats endpointStats;
  private long attemptStart;
  /** Between an attempt's start and {@link #attemptDone}: what timing it out must end. */
  private boolean attemptOpen;
  /** Gives up the current attempt's wait for a connection. */
  private Cancellable pending;
  /**
   * {@link RequestTimers#NONE} until a timer is first started ({@link #timers()}): most requests start
   * none, and ending a timer that never started reads only.
   */
  private RequestTimers timers = RequestTimers.NONE;
  /**
   * Every attempt goes by Turnout's own upstream client: the request has no body or one held whole, and
   * asks for no upgrade. Otherwise (a streamed body, a WebSocket) Undertow's client carries it.
   */
  private boolean lean;
  /** The router is an h2 one: every attempt is a stream of {@link Pools#h2()}. */
  private final boolean h2;
  /**
   * A gRPC answer was taken whose class its trailers' {@code grpc-status} will tell: the attempt's
   * figures wait for {@link #responseEnded}.
   */
  private boolean classOnTrailers;
  /**
   * An h2 request's streamed body, as far as it has been read, kept until the answer's head so that a
   * refused stream can be sent again; null for other requests.
   */
  private ReplayPrefix replay;

  ProxiedRequest(HttpServerExchange exchange, Routed routed, PerRouter shared) {
    super(exchange, routed, shared);
    this.h2 = router().config().h2();
  }

  /**
   * Starts the request on the target chosen when it was routed: the task that {@code
   * exchange.dispatch(SameThreadExecutor.INSTANCE, request)} runs on the IO thread. Then the stats, the
   * timeout, and the first attempt.
   */
  @Override
  public void run() {
    try {
      begin();
    } catch (RuntimeException e) {
      unexpected("starting the request", e);
    }
  }

  private void begin() {
    serviceStats.start();
    policy.retryBudget().deposit();
    routed.target().client().requeueBudget().ifPresent(RetryBudget::deposit);
    exchange.addExchangeCompleteListener(this);
    if (policy.totalTimeout().isPresent()) {
      deadline = shared.deadlines(policy.totalTimeout().get()).add(this, exchange.getIoThread());
    } else if (shared.deadlines != null) {
      deadline = shared.deadlines.add(this, exchange.getIoThread());
    }
    if (grpc) {
      GrpcAnswers.timeout(exchange).ifPresent(t ->
          timers().grpcDeadline(exchange.getIoThread(), t.toMillis(), this::grpcDeadlinePassed));
    }
    use(routed.target());
    Optional<BufferedBody> small = hasBody ? BufferedBody.of(exchange) : Optional.empty();
    lean = !UpstreamHeaders.upgradeAsked(exchange) && (!hasBody || small.isPresent());
    if (h2 && hasBody && small.isEmpty()) {
      ReplayPrefix kept = new ReplayPrefix();
      replay = kept;
      exchange.addExchangeCompleteListener((ex, next) -> {
        kept.release();
        next.proceed();
      });
    }
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
    fail(400, "body", why + " (service " + routed.serviceName() + ")");
  }

  private void use(Route.Target next) {
    target = next;
    clientStats = shared.metrics.client(router().label(), next.id());
    serviceClientStats = shared.metrics.serviceClient(serviceStats, next.id());
  }

  // ---- attempts

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
    if (endpoint != null && !endpointTried) {
      tried = with(tried, endpoint);
      endpointTried = true;
    }
    Optional<Endpoint> picked = target.client().pick(tried);
    if (picked.isEmpty()) {
      noEndpoint();
      return;
    }
    attempts++;
    endpoint = picked.get();
    endpointTried = false;
    endpointStats = shared.metrics.endpoint(clientStats, endpoint.key(), endpoint.ejected());
    // read here, not taken from the request's start: an attempt's latency is the backend's alone
    // (binding, a first request's meters and the mirror's work come before it)
    attemptStart = router().nanos();
    router().attemptStarted(endpoint);
    if (trace != null) {
      trace.attemptStarted(target.id(), endpoint.key());
    }
    int stripe = Stripe.index();
    endpointStats.start(stripe);
    clientStats.start(stripe);
    serviceClientStats.start(stripe);
    UpstreamClient upstream = h2 ? shared.pools.h2() : shared.pools.client(lean);
    attemptOpen = true;
    Client client = target.client();
    pending = upstream.start(endpoint, client.config().connectTimeout().toMillis(), this);
    if (attemptOpen && !finished && client.config().requestAttemptTimeout().isPresent()) {
      timers().attemptStarted(
          exchange.getIoThread(), client.config().requestAttemptTimeout().get().toMillis(), this::attemptTimedOut);
    }
  }

  /**
   * The client has no endpoint to try: a pending address is waited for once ({@link AddressWait}); an
   * address that turned out not to exist (a registry's first answer for a name it does not have) sends
   * the request to what the name binds to now, so an Alt's next branch serves even the request that
   * found out, as it serves the requests after it; any other state is a 502 that says what the address is.
   */
  private void noEndpoint() {
    Client client = target.client();
    Addr state = client.state();
    long bindingTimeout = router().config().bindingTimeout().toMillis();
    if (state instanceof Addr.Pending && !waitedForAddr) {
      waitedForAddr = true;
      AddressWait.start(
          client, exchange.getIoThread(), bindingTimeout, () -> guarded("waiting for an address", this::attempt));
      return;
    }
    if (state instanceof Addr.Neg && fallbacks < MAX_FALLBACKS && rebind(routed.chooseAfresh())) {
      fallbacks++;
      waitedForAddr = false;
      again = true;
      return;
    }
    connectFailed(AddressWait.why(state, target.id(), bindingTimeout));
  }

  private static List<Endpoint> with(List<Endpoint> tried, Endpoint e) {
    if (tried.isEmpty()) {
      return List.of(e);
    }
    List<Endpoint> more = new ArrayList<>(tried);
    more.add(e);
    return more;
  }

  /**
   * Ends the current attempt's bookkeeping (an answered attempt's trace has its status already);
   * returns when it ended, by the router's clock, for {@link #recordOutcome}.
   */
  private long attemptDone(ResponseClass cls, String why) {
    attemptOpen = false;
    pending = null;
    timers.attemptEnded();
    if (trace != null) {
      trace.attemptEnded(0, why);
    }
    // One clock read for the attempt's end: its figures, and its outcome's record (recordOutcome)
    long end = router().nanos();
    long latency = end - attemptStart;
    router().attemptFinished(endpoint);
    boolean ok = cls.isSuccess();
    int stripe = Stripe.index();
    long now = shared.oneClock ? end : shared.metrics.nanos();
    endpointStats.finish(stripe, now, ok, why, latency);
    clientStats.finish(stripe, now, ok, why, latency);
    serviceClientStats.finish(stripe, now, ok, why, latency);
    return end;
  }

  /** Records the attempt that {@link #attemptDone} ended at {@code end} on its endpoint. */
  private void recordOutcome(ResponseClass cls, long end) {
    router().recordOutcome(endpoint, cls, end - attemptStart, end);
  }

  /** Whether the {@link RetryRule} sends the request again after {@code failure}. */
  private boolean mayRetry(Failure failure) {
    boolean requeue = failure == Failure.NOT_SENT || failure == Failure.REFUSED;
    RetryBudget budget =
        requeue ? target.client().requeueBudget().orElse(policy.retryBudget()) : policy.retryBudget();
    // a streamed body's copy serves a refused stream only: any other failure may have been processed
    boolean replayable =
        !hasBody || body != null || (failure == Failure.REFUSED && replay != null && replay.replayable());
    return RetryRule.allows(failure, attempts, replayable, exchange.getRequestMethod().toString(), budget);
  }

  /**
   * Sends the request again. After a failure that rebinds: to another endpoint, or, when the bound tree
   * now prefers another alternative (this client's endpoints are all out), to the new one.
   */
  private void retry(Failure failure) {
    serviceStats.retried();
    if (failure.rebinds) {
      rebind(routed.chooseAgain());
    }
    // A request that reached no backend is requeued at once, as Finagle's requeues are; the others
    // wait the service's backoff, on a timer of this IO thread rather than holding it.
    if (failure == Failure.NOT_SENT || failure == Failure.REFUSED || !timers().backOff(exchange.getIoThread(), policy.backoff(), this::backedOff)) {
      attempt();
    }
  }

  /** The request's own timers, made when the first one starts. */
  private RequestTimers timers() {
    if (timers == RequestTimers.NONE) {
      timers = new RequestTimers();
    }
    return timers;
  }

  private void backedOff() {
    timers.backoffEnded();
    if (!finished) {
      guarded("retrying the request", this::attempt);
    }
  }

  /**
   * The attempt has had no answer within the client's {@code requestAttemptTimeoutMs}: it is given up
   * and counted against its endpoint, then retried when the classifier calls a timeout of this method
   * retryable, else answered 503 with Finagle's words for it, as Linkerd's ErrorResponder does.
   */
  private void attemptTimedOut() {
    timers.attemptEnded();
    if (finished || !attemptOpen) {
      return;
    }
    guarded("timing the attempt out", () -> {
      ResponseClass cls = policy.classifier().classifyTimeout(exchange.getRequestMethod().toString());
      Cancellable waiting = pending;
      giveUpAttempt();
      if (waiting != null) {
        waiting.cancel();
      }
      long end = attemptDone(cls, "timeout");
      recordOutcome(cls, end);
      if (cls == ResponseClass.RETRYABLE_FAILURE && mayRetry(Failure.ATTEMPT_TIMEOUT)) {
        retry(Failure.ATTEMPT_TIMEOUT);
        return;
      }
      fail(503, "timeout", TimeoutMessages.attempt(target.client().config().requestAttemptTimeout().get(), target.id()));
    });
  }

  /** Closes the current attempt's connection, first forgetting it, so what closing reports is ignored. */
  private void giveUpAttempt() {
    Closeable open = connection;
    connection = null;
    if (open != null) {
      IoUtils.safeClose(open);
    }
  }

  /** Moves to {@code next}, when it is another client; answers whether it moved. */
  private boolean rebind(Optional<Route.Target> next) {
    if (next.isPresent() && next.get().client() != target.client()) {
      tried = List.of();
      endpointTried = true; // the last endpoint was the old client's
      use(next.get());
      return true;
    }
    return false;
  }

  /** Nothing was sent on this attempt: another one, if the rule allows, else a 502. */
  private void notSentRetry(String why) {
    if (mayRetry(Failure.NOT_SENT)) {
      retry(Failure.NOT_SENT);
    } else {
      connectFailed(why);
    }
  }

  private void connectFailed(String why) {
    fail(502, "connect", why + " (service " + routed.serviceName() + ", client " + target.id() + ")");
  }

  // ---- what the upstream client asks and reports (UpstreamRequest)

  /** The endpoint could not be reached: it counts against the endpoint, and another is tried. */
  @Override
  public void unreachable(Endpoint to, String why) {
    router().connectFailed(to);
    attemptDone(ResponseClass.RETRYABLE_FAILURE, "connect");
    notSentRetry(why);
  }

  /** The endpoint's pool has its {@code maxWaiters} waiting: refused at once, as Finagle's pool does. */
  @Override
  public void overloaded(Endpoint to, String why) {
    attemptDone(ResponseClass.FAILURE, "busy");
    fail(503, "busy", why + " (service " + routed.serviceName() + ", client " + target.id() + ")");
  }

  @Override
  public void busy(Endpoint to, String why) {
    attemptDone(ResponseClass.RETRYABLE_FAILURE, "busy");
    notSentRetry(why);
  }

  @Override
  public void notSent(Closeable conn, IOException e) {
    guarded("sending the request", () -> stale(conn, e));
  }

  @Override
  public dev.turnout.config.H2ClientSettings h2Settings() {
    return target.client().config().h2();
  }

  @Override
  public ReplayPrefix replay() {
    return replay;
  }

  @Override
  public void refused(Closeable conn, String why) {
    guarded("sending the request", () -> streamRefused(conn, why));
  }

  /**
   * The backend did not process the request's stream: sent again to another endpoint (or, re-bound,
   * another alternative) at once, as a request never sent, when its body can be; else the caller hears
   * why (a gRPC caller UNAVAILABLE, with the reason in {@code l5d-err}). Not held against the endpoint.
   */
  private void streamRefused(Closeable conn, String why) {
    if (exchange.isResponseStarted() || classOnTrailers) {
      // not a refusal once an answer was taken (it cannot be one): the stream broke mid-answer
      connectionBroke(conn, new IOException(why));
      return;
    }
    if (!dropIfCurrent(conn)) {
      return;
    }
    long end = attemptDone(ResponseClass.RETRYABLE_FAILURE, "refused");
    // the balancer and failure accrual steer away from a backend that keeps refusing
    recordOutcome(ResponseClass.RETRYABLE_FAILURE, end);
    if (mayRetry(Failure.REFUSED)) {
      retry(Failure.REFUSED);
      return;
    }
    String not = replay != null && replay.tooLarge()
        ? "; not sent again: its streamed body was larger than the " + ReplayPrefix.LIMIT / 1024 + " KiB kept for that"
        : attempts >= RetryRule.MAX_ATTEMPTS ? "; not sent again: " + attempts + " attempts made" : "";
    fail(502, "refused", why + " at " + endpoint.key() + not
        + " (service " + routed.serviceName() + ", client " + target.id() + ")");
  }

  @Override
  public void broken(String where, Closeable conn, IOException e) {
    guarded(where, () -> connectionBroke(conn, e));
  }

  @Override
  public void relayFailed(IOException e) {
    if (classOnTrailers) {
      classOnTrailers = false;
      long end = attemptDone(ResponseClass.FAILURE, "reset");
      recordOutcome(ResponseClass.FAILURE, end);
      settle(ResponseClass.FAILURE, "reset");
    }
    if (e.getCause() instanceof RuntimeException bug) {
      shared.log.unexpected(router().label(), "relaying the response", bug);
    }
    IoUtils.safeClose(exchange.getConnection());
  }

  private void stale(Closeable conn, IOException e) {
    if (!dropIfCurrent(conn)) {
      return;
    }
    attemptDone(ResponseClass.RETRYABLE_FAILURE, "connect");
    notSentRetry("connection to " + endpoint.key() + " closed before the request went out: " + e.getMessage());
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
      settle(ResponseClass.FAILURE, "reset");
      IoUtils.safeClose(exchange.getConnection());
      return;
    }
    long end = attemptDone(ResponseClass.RETRYABLE_FAILURE, "reset");
    recordOutcome(ResponseClass.RETRYABLE_FAILURE, end);
    if (mayRetry(Failure.BROKEN)) {
      retry(Failure.BROKEN);
      return;
    }
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof StreamReset reset) {
      // a gRPC caller hears what its own client would make of the reset (INTERNAL, CANCELLED...)
      fail(502, "reset", why + " at " + endpoint.key() + " (service " + routed.serviceName() + ")", reset.grpcStatus());
      return;
    }
    fail(502, "reset", "connection to " + endpoint.key() + " failed: " + why);
  }

  /**
   * Takes a backend's answer to the current attempt: true when it is the request's answer, its status
   * and headers now set on the exchange and its body for the caller to relay; false when it was not
   * taken (the request had ended, or the answer is retried), its connection closed.
   */
  @Override
  public boolean answered(Closeable conn, int status, HeaderMap headers) {
    if (finished) {
      IoUtils.safeClose(conn);
      return false;
    }
    if (replay != null) {
      replay.release(); // an answer came: the stream was processed, and is not sent again for a refusal
    }
    ResponseClass cls;
    String why;
    String grpcStatus = grpc ? headers.getFirst(GrpcAnswers.GRPC_STATUS) : null;
    if (grpc && policy.grpc().isPresent()) {
      GrpcClassifier g = policy.grpc().get();
      cls = grpcStatus != null ? g.classifyStatus(GrpcAnswers.code(grpcStatus)) : g.classifyHttp(status);
      why = cls == null || cls.isSuccess() ? "" : grpcStatus != null ? "grpc-" + grpcStatus.strip() : Integer.toString(status);
    } else if (grpc && grpcStatus != null) {
      // under an HTTP classifier a gRPC failure counts as a failure, never retried (see GrpcAnswers)
      cls = GrpcAnswers.code(grpcStatus) == 0 ? policy.classifier().classify("POST", status) : ResponseClass.FAILURE;
      why = cls.isSuccess() ? "" : "grpc-" + grpcStatus.strip();
    } else {
      cls = policy.classifier().classify(exchange.getRequestMethod().toString(), status);
      why = cls.isSuccess() ? "" : Integer.toString(status);
    }
    if (cls == null || (grpc && grpcStatus == null && cls.isSuccess() && policy.grpc().isEmpty())) {
      return answeredBeforeTrailers(status, headers);
    }
    timers.grpcDeadlineEnded();
    int stripe = Stripe.index();
    clientStats.status(stripe, status);
    serviceClientStats.status(stripe, status);
    if (trace != null) {
      trace.attemptEnded(status, why);
    }
    long end = attemptDone(cls, why);
    recordOutcome(cls, end);
    if (cls == ResponseClass.RETRYABLE_FAILURE && mayRetry(Failure.RETRYABLE_ANSWER)) {
      if (headers == exchange.getResponseHeaders()) {
        headers.clear(); // parsed there (answerHeaders): the next answer, or an error, starts empty
      }
      connection = null;
      IoUtils.safeClose(conn);
      retry(Failure.RETRYABLE_ANSWER);
      return false;
    }
    settle(cls, why);
    exchange.setStatusCode(status);
    takeHeaders(headers);
    exchange.getResponseHeaders().put(L5dHeaders.SUCCESS_CLASS, cls.isSuccess() ? "1.0" : "0.0");
    if (cls == ResponseClass.RETRYABLE_FAILURE) {
      exchange.getResponseHeaders().put(L5dHeaders.RETRYABLE, "true");
    }
    return true;
  }

  /**
   * Takes a gRPC answer whose class only its trailers will tell: the caller gets its head now, and the
   * attempt is counted when the body ends ({@link #responseEnded}) or breaks ({@link #relayFailed}).
   */
  private boolean answeredBeforeTrailers(int status, HeaderMap headers) {
    int stripe = Stripe.index();
    clientStats.status(stripe, status);
    serviceClientStats.status(stripe, status);
    if (trace != null) {
      trace.attemptEnded(status, "");
    }
    classOnTrailers = true;
    timers.attemptEnded();
    timers.grpcDeadlineEnded();
    settle(ResponseClass.SUCCESS, "");
    exchange.setStatusCode(status);
    takeHeaders(headers);
    return true;
  }

  /**
   * Sets a taken answer's headers on the exchange, hop-by-hop ones left out: Turnout's client parsed
   * them there already ({@link #answerHeaders}), Undertow's are copied from the client's map.
   */
  private void takeHeaders(HeaderMap headers) {
    HeaderMap own = exchange.getResponseHeaders();
    if (headers == own) {
      Hop.strip(own);
    } else {
      Hop.copy(headers, own, Set.of());
    }
  }

  /** The answer's body has ended: a gRPC answer is judged on its trailers now, and counted. */
  @Override
  public void responseEnded(HeaderMap trailers) {
    connection = null;
    if (!classOnTrailers) {
      return;
    }
    classOnTrailers = false;
    String grpcStatus = trailers.getFirst(GrpcAnswers.GRPC_STATUS);
    ResponseClass cls;
    if (policy.grpc().isPresent()) {
      GrpcClassifier g = policy.grpc().get();
      cls = grpcStatus == null ? g.classifyMissing() : g.classifyStatus(GrpcAnswers.code(grpcStatus));
    } else {
      cls = grpcStatus == null || GrpcAnswers.code(grpcStatus) != 0 ? ResponseClass.FAILURE : ResponseClass.SUCCESS;
    }
    String why = cls.isSuccess() ? "" : grpcStatus == null ? "no-grpc-status" : "grpc-" + grpcStatus.strip();
    long end = attemptDone(cls, why);
    recordOutcome(cls, end);
    settle(cls, why);
    trailers.put(L5dHeaders.SUCCESS_CLASS, cls.isSuccess() ? "1.0" : "0.0");
  }

  /**
   * The caller's {@code grpc-timeout} has passed before an answer came: it hears DEADLINE_EXCEEDED,
   * and the attempt is given up.
   */
  private void grpcDeadlinePassed() {
    if (finished) {
      return;
    }
    guarded("timing the gRPC call out", () -> {
      Cancellable waiting = attemptOpen ? pending : null;
      if (attemptOpen) {
        attemptDone(ResponseClass.FAILURE, "timeout");
      }
      timers.backoffEnded();
      fail(504, "timeout", "the caller's grpc-timeout passed before " + routed.serviceName() + " answered");
      if (waiting != null) {
        waiting.cancel();
      }
      giveUpAttempt();
    });
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
    Cancellable waiting = attemptOpen ? pending : null;
    if (attemptOpen) {
      attemptDone(ResponseClass.FAILURE, "timeout");
    }
    timers.backoffEnded();
    // Finished before the connection is closed: closing may report the broken connection at once,
    // and that report must not start a retry.
    fail(503, "timeout", policy.totalTimeout().isPresent()
        ? TimeoutMessages.total(policy.totalTimeout().get(), routed.serviceName())
        : TimeoutMessages.router(router().config().requestTimeout(), routed.serviceName()));
    if (waiting != null) {
      waiting.cancel();
    }
    giveUpAttempt();
  }


}
