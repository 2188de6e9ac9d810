package dev.turnout.proxy;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.TrafficStats;
import dev.turnout.naming.Addr;
import dev.turnout.naming.BindingException;
import dev.turnout.routing.Client;
import dev.turnout.routing.Endpoint;
import dev.turnout.routing.ResponseClass;
import dev.turnout.routing.ResponseClassifier;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import dev.turnout.routing.RoutingSnapshot;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.server.handlers.proxy.ProxyConnectionPool;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.HttpString;
import io.undertow.util.Transfer;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.nio.channels.Channel;
import org.xnio.Cancellable;
import org.xnio.ChannelExceptionHandler;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;

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
 * Turnout's own {@link UpstreamConnection}, which reports to this object itself (it is the connection's
 * {@link UpstreamConnection.Handler}); a streamed body or an upgrade goes by Undertow's client, through
 * its pool and a {@link ResponseHandler} per attempt. Both share the attempt loop, the connect timeout,
 * and {@link #takeAnswer} for what is done with an answer.
 *
 * <p><b>What a request allocates</b> beyond Undertow's own objects is this object, one {@link
 * Connecting} per attempt (and a {@link ResponseHandler} on Undertow's client) and the request id: the
 * request is itself the task dispatched on the IO thread and the listener of its exchange's end, and
 * the callbacks that run on every request catch their own exceptions rather than wrap a lambda in
 * {@link #guarded}.
 */
final class ProxiedRequest implements Runnable, ExchangeCompletionListener, UpstreamConnection.Handler {
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
   * Attempts go by Turnout's own upstream client: the request has no body or one held whole, and asks
   * for no upgrade. Otherwise (a streamed body, a WebSocket) Undertow's client carries it.
   */
  private boolean lean;

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
    this.hasBody = RouterHandler.hasBody(exchange);
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
    lean = Pools.LEAN && !upgradeAsked() && (!hasBody || small.isPresent());
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
    if (lean) {
      attemptLean(connectTimeout);
      return;
    }
    ProxyConnectionPool pool;
    try {
      pool = pools.of(endpoint);
    } catch (IllegalArgumentException notAnAddress) {
      refused(endpoint, notAnAddress.getMessage());
      return;
    }
    // Every connection the pool allows on this thread is busy: the request will wait in its queue.
    ProxyConnectionPool.AvailabilityType state = pool.available();
    boolean willQueue =
        state == ProxyConnectionPool.AvailabilityType.FULL
            || state == ProxyConnectionPool.AvailabilityType.FULL_QUEUE;
    Connecting waiting = new Connecting(endpoint, willQueue, connectTimeout);
    // The pool reads its wait only for a request it queues (behind its connection cap); it gives such a
    // request up itself at the connect timeout (its timer is set first, so it fires first) and then
    // forgets it; never later than the request's own end, after which a freed connection must not be
    // handed to it.
    long queueWait = willQueue ? queueWait(connectTimeout) : connectTimeout;
    pool.connect(null, exchange, waiting, queueWait, TimeUnit.MILLISECONDS, false);
    if (!waiting.settled) {
      waiting.timer =
          exchange.getIoThread().executeAfter(waiting::timedOut, connectTimeout, TimeUnit.MILLISECONDS);
    }
  }

  /** An attempt by Turnout's own upstream client ({@link UpstreamConnection}). */
  private void attemptLean(long connectTimeout) {
    UpstreamPool pool;
    try {
      pool = pools.upstream(endpoint);
    } catch (IllegalArgumentException notAnAddress) {
      refused(endpoint, notAnAddress.getMessage());
      return;
    }
    XnioIoThread io = exchange.getIoThread();
    Connecting waiting = new Connecting(endpoint, false, connectTimeout);
    Cancellable pending = pool.acquire(io, waiting);
    if (!waiting.settled) {
      waiting.pending = pending;
      waiting.timer = io.executeAfter(waiting::timedOut, connectTimeout, TimeUnit.MILLISECONDS);
    }
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
  private long queueWait(long connectTimeout) {
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

  // ---- connection from the pool

  /**
   * One attempt's wait for a connection. A pooled connection usually comes at once, inside the call
   * to the pool; a new one comes later, or never from a host that drops connection attempts, which is
   * what the timer is for. Whichever of the pool's answer and the timer comes first decides the
   * attempt; the other is ignored. From Undertow's pool, a connection that comes after the attempt
   * gave up is not used: the pool has tied it to this exchange and takes it back when the exchange
   * ends, or at once if the exchange has ended already (Undertow 2.3's pool then keeps it for the next
   * request). The {@link UpstreamPool}'s wait is cancelled at the timeout instead: a connection still
   * being made is closed, a place in its queue given up, so no slot stays taken by a dead host.
   */
  private final class Connecting implements ProxyCallback<ProxyConnection>, UpstreamPool.Waiter {
    private final Endpoint to;
    /** Waiting for one of the pool's connections to be free, rather than for a new one to open. */
    private boolean queued;
    private final long timeoutMillis;
    boolean settled;
    XnioExecutor.Key timer;
    /** Cancels the upstream pool's wait (a connection being made, or a place in its queue). */
    Cancellable pending;

    Connecting(Endpoint to, boolean queued, long timeoutMillis) {
      this.to = to;
      this.queued = queued;
      this.timeoutMillis = timeoutMillis;
    }

    /** True the first time only: the attempt's outcome is this caller's to act on. */
    private boolean settle() {
      if (settled) {
        return false;
      }
      settled = true;
      if (timer != null) {
        timer.remove();
      }
      return !finished;
    }

    @Override
    public void connected(UpstreamConnection c) {
      try {
        if (settle()) {
          connection = c;
          sendLean(c);
        } else {
          c.close();
        }
      } catch (RuntimeException e) {
        unexpected("sending the request", e);
      }
    }

    @Override
    public void failed(IOException e) {
      guarded(
          "connecting",
          () -> {
            if (settle()) {
              unreached("could not connect to " + to.key() + " (" + reason(e) + ")");
            }
          });
    }

    @Override
    public boolean gaveUp() {
      return settled || finished;
    }

    @Override
    public void queued() {
      queued = true;
    }

    @Override
    public void opening(Cancellable connecting) {
      queued = false;
      pending = connecting;
    }

    @Override
    public void completed(HttpServerExchange ex, ProxyConnection pooled) {
      try {
        if (settle()) {
          ClientConnection conn = pooled.getConnection();
          connection = conn;
          send(conn);
        }
      } catch (RuntimeException e) {
        unexpected("sending the request", e);
      }
    }

    @Override
    public void failed(HttpServerExchange ex) {
      guarded(
          "connecting",
          () -> {
            if (settle()) {
              unreached("could not connect to " + to.key() + " (refused, or the host is unreachable)");
            }
          });
    }

    @Override
    public void queuedRequestFailed(HttpServerExchange ex) {
      guarded(
          "waiting for a connection",
          () -> {
            if (settle()) {
              busy();
            }
          });
    }

    private void busy() {
      attemptDone(ResponseClass.RETRYABLE_FAILURE, "busy");
      retryElsewhere("no connection to " + to.key() + " free: all the connections allowed are in use");
    }

    @Override
    public void couldNotResolveBackend(HttpServerExchange ex) {
      failed(ex);
    }

    void timedOut() {
      timer = null;
      boolean mine = settle();
      if (pending != null) {
        pending.cancel(); // settled first: what cancelling reports is not this attempt's outcome
        pending = null;
      }
      if (mine) {
        guarded(
            "connecting",
            () -> unreached("no connection to " + to.key() + " within the " + timeoutMillis + " ms connect timeout"));
      }
    }

    /**
     * No connection came. For a queued request the pool's wait ran out: every connection it allows is
     * busy, which is not the endpoint refusing anything. Otherwise the endpoint could not be reached.
     */
    private void unreached(String why) {
      if (queued) {
        busy();
      } else {
        refused(to, why);
      }
    }
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

  // ---- the request

  private void send(ClientConnection conn) {
    ClientRequest request = new ClientRequest();
    request.setMethod(exchange.getRequestMethod());
    request.setPath(requestTarget);
    upstreamHeaders(request.getRequestHeaders());
    conn.sendRequest(
        request,
        new ClientCallback<>() {
          @Override
          public void completed(ClientExchange result) {
            try {
              sent(conn, result);
            } catch (RuntimeException e) {
              unexpected("sending the request", e);
            }
          }

          @Override
          public void failed(IOException e) {
            // The pooled connection was closed before anything was written on it (the backend ended
            // an idle keep-alive connection): like a refused connection, safe to send elsewhere.
            guarded("sending the request", () -> stale(conn, e));
          }
        });
  }

  /** Sends the request by the upstream client: its head and its held body, if any, in one write. */
  private void sendLean(UpstreamConnection conn) {
    HeaderMap h = new HeaderMap();
    upstreamHeaders(h);
    HttpString method = exchange.getRequestMethod();
    conn.send(
        this, exchange.getConnection().getByteBufferPool(), method, requestTarget, h, body, Methods.HEAD.equals(method));
  }

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

  // ---- what the upstream client reports (UpstreamConnection.Handler)

  @Override
  public void notSent(UpstreamConnection conn, IOException e) {
    guarded("sending the request", () -> stale(conn, e));
  }

  @Override
  public void broken(UpstreamConnection conn, IOException e) {
    if (e.getCause() instanceof RuntimeException bug) {
      unexpected("reading the response", bug);
      return;
    }
    guarded("reading the response", () -> connectionBroke(conn, e));
  }

  @Override
  public void answered(UpstreamConnection conn, ResponseHead head) {
    try {
      if (takeAnswer(conn, head.status, head.headers)) {
        connection = null; // the connection is the relay's now: it goes back to its pool at the body's end
        conn.relay(exchange.getResponseChannel());
      }
    } catch (RuntimeException e) {
      unexpected("reading the response", e);
    }
  }

  @Override
  public void relayFailed(UpstreamConnection conn, IOException e) {
    if (e.getCause() instanceof RuntimeException bug) {
      log.unexpected(router.label(), "relaying the response", bug);
    }
    IoUtils.safeClose(exchange.getConnection());
  }

  private void sent(ClientConnection conn, ClientExchange result) {
    result.setResponseListener(new ResponseHandler(conn));
    StreamSinkChannel sink = result.getRequestChannel();
    if (body != null) {
      BufferedBody.write(body, sink, e -> guarded("sending the body", () -> connectionBroke(conn, e)));
    } else if (hasBody && !exchange.isRequestComplete()) {
      Relay.start(
          exchange.getRequestChannel(),
          sink,
          (c, e) -> guarded("sending the body", () -> connectionBroke(conn, e)),
          exchange.getConnection().getByteBufferPool());
    } else {
      finishWrites(sink);
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

  /** Ends a body written to {@code sink}, flushing what is left asynchronously. */
  static void finishWrites(StreamSinkChannel sink) {
    try {
      sink.shutdownWrites();
      if (!sink.flush()) {
        sink.getWriteSetter()
            .set(
                ChannelListeners.flushingChannelListener(
                    c -> {
                      c.suspendWrites();
                      c.getWriteSetter().set(null);
                    },
                    ChannelListeners.closingChannelExceptionHandler()));
        sink.resumeWrites();
      }
    } catch (IOException e) {
      IoUtils.safeClose(sink);
    }
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

  /** The backend's answer to one attempt, and then the failure, if any, of relaying its body. */
  private final class ResponseHandler
      implements ClientCallback<ClientExchange>, ChannelExceptionHandler<Channel> {
    private final ClientConnection conn;

    ResponseHandler(ClientConnection conn) {
      this.conn = conn;
    }

    @Override
    public void completed(ClientExchange result) {
      try {
        answered(result);
      } catch (RuntimeException e) {
        unexpected("reading the response", e);
      }
    }

    /** Relaying the body failed on either side: both connections are closed. */
    @Override
    public void handleException(Channel channel, IOException e) {
      closeBoth(conn);
    }

    @Override
    public void failed(IOException e) {
      guarded("reading the response", () -> connectionBroke(conn, e));
    }

    private void answered(ClientExchange result) {
      ClientResponse response = result.getResponse();
      int status = response.getResponseCode();
      if (!takeAnswer(conn, status, response.getResponseHeaders())) {
        return;
      }
      if (status == 101) {
        upgrade(result);
      }
      Relay.start(
          result.getResponseChannel(),
          exchange.getResponseChannel(),
          this,
          exchange.getConnection().getByteBufferPool());
    }
  }

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

  private void closeBoth(ClientConnection conn) {
    IoUtils.safeClose(conn);
    IoUtils.safeClose(exchange.getConnection());
  }

  /** A 101 answer: once both sides have switched, bytes flow each way until either closes. */
  private void upgrade(ClientExchange result) {
    exchange.getResponseHeaders().put(Headers.CONNECTION, "Upgrade");
    String upgrade = result.getResponse().getResponseHeaders().getFirst(Headers.UPGRADE);
    if (upgrade != null) {
      exchange.getResponseHeaders().put(Headers.UPGRADE, upgrade);
    }
    exchange.upgradeChannel(
        (StreamConnection caller, HttpServerExchange ex) -> {
          StreamConnection backend = null;
          try {
            backend = result.getConnection().performUpgrade();
            pipe(backend, caller, result);
            pipe(caller, backend, result);
          } catch (IOException e) {
            IoUtils.safeClose(caller, backend);
          }
        });
  }

  private static void pipe(StreamConnection from, StreamConnection to, ClientExchange result) {
    ChannelExceptionHandler<java.nio.channels.Channel> close = (c, e) -> IoUtils.safeClose(from, to);
    Transfer.initiateTransfer(
        from.getSourceChannel(),
        to.getSinkChannel(),
        ChannelListeners.closingChannelListener(),
        ChannelListeners.writeShutdownChannelListener(
            ChannelListeners.<StreamSinkChannel>flushingChannelListener(
                ChannelListeners.closingChannelListener(),
                ChannelListeners.closingChannelExceptionHandler()),
            ChannelListeners.closingChannelExceptionHandler()),
        close,
        close,
        result.getConnection().getBufferPool());
  }

  // ---- endings

  /** The router's request timeout has passed (called by {@link Deadlines} on the IO thread). */
  void timedOut() {
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
  private void unexpected(String where, RuntimeException e) {
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
