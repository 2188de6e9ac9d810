package dev.turnout.proxy.upstream;

import dev.turnout.config.H2ClientSettings;
import dev.turnout.routing.Endpoint;
import dev.turnout.tls.ClientTls;
import io.undertow.UndertowOptions;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.http2.Http2Channel;
import io.undertow.protocols.http2.Http2StreamSinkChannel;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpAttachments;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.Channel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.xnio.Cancellable;
import org.xnio.ChannelExceptionHandler;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * The upstream client of h2 routers: HTTP/2 to every endpoint, with prior knowledge ({@code h2c}) in
 * plaintext, or ALPN {@code h2} when the router's client has {@code tls}. It is Undertow's HTTP/2
 * client (its framing, HPACK, flow control both ways and trailers), not its proxy pool, which hands a
 * connection to one request at a time: here each IO thread keeps its own connections per endpoint
 * (one, unless the peer's stream limit asks for more) and every request of that thread to the endpoint
 * is a stream on one of them. A request asks its thread's connections; one being opened is waited for
 * (within the connect timeout); a connection the peer has sent GOAWAY on, or that closed, takes no new
 * stream, and the next request opens another.
 *
 * <p>Bodies are streamed both ways, never held, each direction at the pace its reader allows: the
 * relays ({@link Pump}) stop reading when the other side's stream window is full, so a slow reader holds back its own
 * stream only. Trailers go on both ways ({@code grpc-status} and {@code grpc-message} untouched).
 * What the {@link UpstreamRequest} is given as "the connection" is the request's own stream: closing it
 * resets that stream ({@code RST_STREAM CANCEL}), never the connection the others share.
 *
 * <p>Connections are opened by {@link H2Connect}, whose channel keeps Undertow's client from answering a
 * peer's {@code PING} with a second, unasked one (grpc-java servers closed the connection for it,
 * {@code too_many_pings}, under messages of about 1 MiB and more).
 *
 * <p>Known weak: Undertow does not move open streams' windows when the peer changes
 * SETTINGS_INITIAL_WINDOW_SIZE (RFC 9113 section 6.9.2).
 *
 * <p><b>The peer's stream limit</b> ({@code SETTINGS_MAX_CONCURRENT_STREAMS}) is respected: a new
 * connection carries one stream until the peer's first {@code SETTINGS} has come (which must within the
 * connect timeout), so the first request waits for no round trip and no burst overruns a limit not yet
 * known; a connection at its limit takes no more streams. A request then goes on another connection to the
 * endpoint (up to {@link #MAX_CONNECTIONS} per endpoint and IO thread, opened as needed), or waits for a
 * stream to end (at most {@link #MAX_WAITING} waiting per endpoint and thread, each for at most the
 * request's time left), rather than being refused by the peer.
 *
 * <p><b>A stream the backend did not process</b>, refused with {@code RST_STREAM REFUSED_STREAM} or
 * beyond the last stream of its {@code GOAWAY}, is reported as {@link UpstreamRequest#refused}; what
 * the request's body has read is kept meanwhile ({@link ReplayPrefix}) so that it can be sent again.
 * Any other {@code RST_STREAM} before the answer is a broken attempt with its code ({@link StreamReset}).
 * Undertow's client reports neither code: it is read from the frames by {@link
 * H2Connect.QuietPingChannel}, after the failure (see there why).
 *
 * <p><b>A graceful {@code GOAWAY}</b> fails none of the streams at or below its last stream id: they
 * run to their end on the connection, which takes no new stream and is closed after the last of them
 * ({@link Conn#wentAway}).
 *
 * <p>Why one class of this length: its state (an endpoint's connections on one IO thread, their open
 * streams, and the attempts waiting for a stream) is one IO thread's, changed by that thread only, and
 * the stream limit, the refusals, GOAWAY and the waiting all move the same counters; split, each part
 * would need the others' fields. What stands apart already does: opening and the frames Undertow hides
 * ({@link H2Connect}), the body's copy ({@link ReplayPrefix}), reset codes ({@link StreamReset}), the
 * relays ({@link Pump}).
 */
public final class H2Upstream implements UpstreamClient {
  /** Connections to one endpoint from one IO thread, when the peer's stream limit asks for more than one. */
  static final int MAX_CONNECTIONS = 8;
  /** Attempts that may wait for a stream to one endpoint from one IO thread; past it, refused as busy. */
  static final int MAX_WAITING = 1000;
  /** The longest wait for a stream when the request itself has no timeout. */
  static final long MAX_STREAM_WAIT_MILLIS = 60_000;

  /** The options of connections announcing {@code s} (what the backend may send on them). */
  static OptionMap options(H2ClientSettings s) {
    return OptionMap.builder()
        .addAll(OPTIONS)
        .set(UndertowOptions.ENABLE_HTTP2, true)
        .set(UndertowOptions.HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, s.initialStreamWindowBytes())
        .set(UndertowOptions.HTTP2_SETTINGS_MAX_FRAME_SIZE, s.maxFrameBytes())
        .set(UndertowOptions.HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, s.maxHeaderListBytes())
        .set(UndertowOptions.HTTP2_SETTINGS_HEADER_TABLE_SIZE, s.headerTableBytes())
        .getMap();
  }

  private final ConcurrentHashMap<Key, Slot> slots = new ConcurrentHashMap<>();

  /** A thread's connections to an endpoint, plaintext or over one TLS setting, announcing one set of HTTP/2 settings. */
  private record Key(XnioIoThread thread, String endpoint, Optional<ClientTls> tls, H2ClientSettings settings) {}

  @Override
  public Cancellable start(Endpoint endpoint, long connectTimeoutMillis, UpstreamRequest request) {
    HttpServerExchange exchange = request.exchange();
    XnioIoThread thread = exchange.getIoThread();
    Key key = new Key(thread, endpoint.key(), endpoint.tls(), request.h2Settings());
    Slot slot = slots.get(key);
    if (slot == null) {
      // The address is checked (and made a URI) once, for the slot: a slot's endpoint was an address.
      URI plain;
      try {
        plain = UpstreamClient.uri(endpoint);
      } catch (IllegalArgumentException notAnAddress) {
        request.unreachable(endpoint, notAnAddress.getMessage());
        return ANSWERED;
      }
      slot = slots.computeIfAbsent(key, k -> new Slot(k, plain));
    }
    Attempt attempt = new Attempt(endpoint, connectTimeoutMillis, request);
    slot.take(attempt);
    if (!attempt.settled && attempt.timer == null) {
      attempt.timer = thread.executeAfter(attempt::timedOut, connectTimeoutMillis, TimeUnit.MILLISECONDS);
    }
    return attempt;
  }

  /**
   * Runs {@code task} on {@code thread} after what it is doing now; nothing when the thread is stopping
   * (the proxy is closing, its connections and requests with it).
   */
  static void later(XnioIoThread thread, Runnable task) {
    try {
      thread.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // the worker is shutting down
    }
  }

  /** Connections open (or being opened) to every endpoint, on every thread. */
  public int open() {
    int n = 0;
    for (Slot s : slots.values()) {
      n += s.openCount();
    }
    return n;
  }

  /** Connections the backend sent GOAWAY on that are still open, finishing their streams. */
  public int goneAway() {
    int n = 0;
    for (Slot s : slots.values()) {
      for (Conn c : s.conns) {
        if (c.channel.isOpen() && c.channel.goAwayLastStream() != H2Connect.QuietPingChannel.NO_GOAWAY) {
          n++;
        }
      }
    }
    return n;
  }

  @Override
  public void close() {
    for (Slot s : slots.values()) {
      s.key.thread().execute(s::closeAll);
    }
    slots.clear();
  }

  /** One endpoint's connections on one IO thread, and the attempts waiting for a stream on one; touched by that thread only. */
  private static final class Slot implements H2Connect.Opened {
    private final Key key;
    private final URI uri;
    private final OptionMap options;
    // Changed by this slot's IO thread only, but also counted from other threads (open(), goneAway()):
    // copy-on-write, as it changes only when a connection opens or closes.
    private final CopyOnWriteArrayList<Conn> conns = new CopyOnWriteArrayList<>();
    /** Connections being opened: connected, TLS, and the peer's first SETTINGS. */
    private int connecting;
    private final ArrayDeque<Attempt> waiting = new ArrayDeque<>();
    private ByteBufferPool pool;
    private long connectTimeoutMillis;
    private boolean draining;

    Slot(Key key, URI plain) {
      this.key = key;
      this.uri = URI.create((key.tls().isPresent() ? "https://" : "h2c-prior://") + plain.getRawAuthority());
      this.options = options(key.settings());
    }

    int openCount() {
      int n = 0;
      for (Conn c : conns) {
        if (c.channel.isOpen()) {
          n++;
        }
      }
      return n;
    }

    void closeAll() {
      for (Conn c : new ArrayList<>(conns)) {
        IoUtils.safeClose(c.conn);
      }
    }

    void take(Attempt a) {
      pool = a.request.exchange().getConnection().getByteBufferPool();
      connectTimeoutMillis = a.timeoutMillis();
      if (waiting.isEmpty()) {
        Conn c = free();
        if (c != null) {
          c.start(a);
          return;
        }
      }
      if (waiting.size() >= MAX_WAITING) {
        waiting.removeIf(Attempt::gone); // given up (timed out, cancelled) but not yet passed over
      }
      if (waiting.size() >= MAX_WAITING) {
        a.overloaded();
        return;
      }
      waiting.add(a);
      drain();
    }

    /** A ready connection with room for one more stream, if there is one. */
    private Conn free() {
      for (Conn c : conns) {
        if (c.hasRoom()) {
          return c;
        }
      }
      return null;
    }

    /**
     * Opens another connection for the waiting attempts, when none is being opened and fewer than
     * {@link #MAX_CONNECTIONS} are open; otherwise they wait for a stream to end (without the connect
     * timeout, which is for connections).
     */
    private void more() {
      if (waiting.isEmpty() || connecting > 0) {
        return;
      }
      // a connection the backend went away on, or one spent, stays listed until its last stream ends,
      // not counted against the limit: it takes no new stream
      conns.removeIf(c -> !c.channel.isOpen());
      int usable = 0;
      for (Conn c : conns) {
        usable += c.takesStreams() ? 1 : 0;
      }
      if (usable < MAX_CONNECTIONS) {
        connecting++;
        if (key.tls().isEmpty()) {
          H2Connect.plaintext(uri, key.thread(), pool, options, this);
        } else {
          H2Connect.tls(uri, key.thread(), UpstreamTls.forUndertow(key.tls().get(), "h2"), pool, options, this);
        }
        return;
      }
      for (Attempt a : waiting) {
        a.waitForStream();
      }
    }

    /** Hands waiting attempts the room there is now, then opens more connections if they still wait. */
    void drain() {
      if (draining) {
        return;
      }
      draining = true;
      try {
        Attempt a;
        while ((a = waiting.peek()) != null) {
          if (a.gone()) {
            waiting.poll();
            continue;
          }
          Conn c = free();
          if (c == null) {
            break;
          }
          waiting.poll();
          c.start(a);
        }
        more();
      } finally {
        draining = false;
      }
    }

    /**
     * An attempt whose stream Undertow would not open goes first in line again, with its stream (the
     * request already holds it), for at most the request's time left.
     */
    void waitAgain(Attempt a, Stream stream) {
      a.resending = stream;
      waiting.addFirst(a);
      a.timer = key.thread().executeAfter(() -> {
        if (a.resending == stream && waiting.remove(a)) {
          a.resending = null;
          a.request.notSent(stream, new IOException("no HTTP/2 stream to " + a.to.key() + " came free in time"));
        }
      }, a.request.queueWait(MAX_STREAM_WAIT_MILLIS), TimeUnit.MILLISECONDS);
      drainLater();
    }

    /** Drains later, on this thread, when anyone waits: not from inside the callback that made room. */
    void drainLater() {
      if (!waiting.isEmpty()) {
        later(key.thread(), this::drain);
      }
    }

    @Override
    public void opened(ClientConnection conn, H2Connect.QuietPingChannel channel) {
      Conn c = new Conn(this, conn, channel);
      XnioExecutor.Key noSettings;
      try {
        noSettings = key.thread().executeAfter(() -> {
          if (!c.ready) {
            c.why = "the backend sent no HTTP/2 SETTINGS within the " + connectTimeoutMillis + " ms connect timeout";
            IoUtils.safeClose(conn);
          }
        }, connectTimeoutMillis, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        IoUtils.safeClose(conn); // the proxy is closing
        return;
      }
      conns.add(c);
      conn.addCloseListener(closed -> {
        noSettings.remove();
        conns.remove(c);
        if (!c.ready) {
          c.ready = true; // counted once
          connecting--;
          connectFailed(new IOException(c.why != null ? c.why : "the backend closed the connection before its HTTP/2 SETTINGS"));
          return;
        }
        drainLater();
      });
      channel.onGoAway(c::wentAway);
      drain(); // one stream may go before the SETTINGS
      channel.whenSettled(() -> {
        if (c.ready || !conn.isOpen()) {
          return;
        }
        noSettings.remove();
        c.ready = true;
        connecting--;
        drain();
        // the endpoint answers: who still waits, waits for a stream (the request's time), no longer for
        // a connection (the connect timeout, whose expiry would count against the endpoint)
        for (Attempt w : waiting) {
          w.waitForStream();
        }
      });
    }

    /** A connection could not be opened (refused, unreachable, TLS or ALPN failed). */
    @Override
    public void failed(IOException e) {
      connecting--;
      connectFailed(e);
    }

    /**
     * The attempts waiting for a connection fail, unless another connection of this slot is open,
     * whose streams they then wait for.
     */
    private void connectFailed(IOException e) {
      boolean others = false;
      for (Conn c : conns) {
        others |= c.ready && c.conn.isOpen();
      }
      if (others || connecting > 0) {
        drainLater();
        if (connecting == 0) {
          for (Attempt a : waiting) {
            a.waitForStream();
          }
        }
        return;
      }
      Attempt a;
      while ((a = waiting.poll()) != null) {
        a.failed(e);
      }
    }
  }

  /** One connection of a {@link Slot}, and how many of its streams are open. */
  private static final class Conn {
    final Slot slot;
    final ClientConnection conn;
    final H2Connect.QuietPingChannel channel;
    /** Streams started here and not yet ended or reset. */
    int active;
    /** The streams of {@link #active} that Undertow has opened (they have an id). */
    final java.util.LinkedHashSet<Stream> streams = new java.util.LinkedHashSet<>();
    /** The peer's first SETTINGS has come (or the connection failed before). */
    boolean ready;
    /**
     * Undertow refused a stream here as over the peer's limit while Turnout counted room: its own count
     * lags (a reset stream is counted until its RST_STREAM is written) or has leaked (Undertow 2.3 counts
     * a stream it refused). The connection takes no new stream and is closed once its streams end.
     */
    boolean spent;
    /** The backend sent GOAWAY: no new stream here, closed once the streams it finishes have ended. */
    private boolean wentAway;
    String why;

    Conn(Slot slot, ClientConnection conn, H2Connect.QuietPingChannel channel) {
      this.slot = slot;
      this.conn = conn;
      this.channel = channel;
    }

    /** Whether this connection may still carry new streams (it may be at its limit for now). */
    boolean takesStreams() {
      return !spent && conn.isOpen() && channel.goAwayLastStream() == H2Connect.QuietPingChannel.NO_GOAWAY;
    }

    boolean hasRoom() {
      if (!takesStreams()) {
        return false;
      }
      if (!ready) {
        // before the backend's SETTINGS, one stream: the first request pays no round trip for them
        return active == 0;
      }
      int limit = channel.getSendMaxConcurrentStreams();
      // Undertow says -1 while the peer set no limit; 0 is a legal limit (RFC 9113 section 6.5.2): no stream
      return limit < 0 || active < limit;
    }

    void start(Attempt a) {
      active++;
      a.connected(this);
    }

    /** One of this connection's streams has ended (or was never used): room for a waiting attempt. */
    void released() {
      active--;
      if ((spent || wentAway) && active == 0) {
        IoUtils.safeClose(conn);
      }
      slot.drainLater();
    }

    /**
     * The backend sent {@code GOAWAY} (again, maybe with a lower last stream): its streams up to the last
     * stream id go on to their end, the others it did not process and are refused (sent again); the
     * connection takes no new stream and is closed when its last stream ends. Waiting attempts go to
     * another connection.
     */
    void wentAway() {
      wentAway = true;
      int last = channel.goAwayLastStream();
      for (Stream s : new ArrayList<>(streams)) {
        if (s.id > last && !s.answered) {
          s.failed("waiting for the answer", new IOException("the backend went away (GOAWAY)"));
        }
      }
      if (active == 0) {
        IoUtils.safeClose(conn);
      }
      slot.drainLater();
    }

    /** A stream Undertow would not open here: this connection takes no more, and the attempt waits again. */
    void refusedLocally(Attempt a, Stream stream) {
      spent = true;
      active--;
      stream.conn = null;
      if (active == 0) {
        IoUtils.safeClose(conn);
      }
      slot.waitAgain(a, stream);
    }
  }

  /**
   * One request's stream, as the request holds it: closing it before both directions have ended resets
   * the stream upstream, and leaves the connection to the other streams. Either way its place on the
   * connection is given back once.
   */
  static final class Stream implements Closeable {
    /** Null while the stream waits for a connection again (see {@link Conn#refusedLocally}). */
    private Conn conn;
    private final UpstreamRequest request;
    private ClientExchange exchange;
    private int id;
    /** What moves the caller's body to this stream, while it does. */
    private Pump body;
    private boolean closed;
    private boolean ended;
    private boolean released;
    /** A failure of this stream is being judged: later reports of the same failure are not. */
    private boolean judging;
    /** The backend reset the stream or went away: no RST_STREAM goes back (RFC 9113 section 5.4.2). */
    private boolean peerEnded;
    /** The backend's answer head has come: it processed the request. */
    private boolean answered;

    Stream(Conn conn, UpstreamRequest request) {
      this.conn = conn;
      this.request = request;
    }

    void exchange(ClientExchange e) {
      exchange = e;
      if (e.getRequestChannel() instanceof Http2StreamSinkChannel sink) {
        id = sink.getStreamId();
      }
      if (conn != null && !released) {
        conn.streams.add(this);
      }
      if (closed) {
        reset();
      }
    }

    /** Both directions have ended: closing is a no-op from now on. */
    void ended() {
      ended = true;
      release();
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (body != null) {
        body.abandon();
      }
      if (exchange != null) {
        reset();
      }
      release();
    }

    private void release() {
      if (!released && conn != null) {
        released = true;
        conn.streams.remove(this);
        conn.released();
      }
    }

    private void reset() {
      if (ended) {
        return;
      }
      if (id > 0 && !peerEnded && conn != null && conn.channel.isOpen()) {
        // Said outright: closing a request channel already shut (a unary call's) sends nothing, and would
        // leave the stream open at the backend and counted against the connection's stream limit.
        conn.channel.sendRstStream(id, Http2Channel.ERROR_CANCEL);
      }
      StreamSourceChannel response = exchange.getResponse() == null ? null : exchange.getResponseChannel();
      // Closing a stream's channels before they ended resets the stream (RST_STREAM CANCEL).
      IoUtils.safeClose(exchange.getRequestChannel());
      if (response != null) {
        IoUtils.safeClose(response);
      }
    }

    /**
     * Sending or answering on this stream failed, before its answer's head: judged once, in a task
     * after the read that failed it, when the frame that did (a RST_STREAM with its code, a GOAWAY with
     * its last stream) has been recorded by the channel.
     */
    void failed(String where, IOException e) {
      if (judging) {
        return;
      }
      judging = true;
      later(conn.conn.getIoThread(), () -> judge(where, e));
    }

    private void judge(String where, IOException e) {
      H2Connect.QuietPingChannel channel = conn.channel;
      int code = id > 0 ? channel.takeReset(id) : -1;
      int last = channel.goAwayLastStream();
      peerEnded = code >= 0 || (id > 0 && id > last);
      if (code == StreamReset.REFUSED_STREAM) {
        request.refused(this, "the backend refused the stream (RST_STREAM REFUSED_STREAM): it did not process the request");
      } else if (code < 0 && id > 0 && last != H2Connect.QuietPingChannel.NO_GOAWAY && id > last) {
        request.refused(this, "the backend went away (GOAWAY " + StreamReset.name(channel.goAwayCode()) + ", last stream "
            + last + ") before processing the request's stream " + id);
      } else if (code >= 0) {
        request.broken(where, this, new StreamReset(code, "the backend reset the stream (RST_STREAM " + StreamReset.name(code) + ")"));
      } else {
        request.broken(where, this, e);
      }
    }
  }

  /** One attempt's wait for a stream on one of its thread's connections to the endpoint, then the request sent on it. */
  private static final class Attempt extends ConnectWait {
    /** The request's stream, when it waits again after Undertow would not open it (see {@link Conn#refusedLocally}). */
    Stream resending;

    Attempt(Endpoint to, long timeoutMillis, UpstreamRequest request) {
      super(to, false, timeoutMillis, request);
    }

    /** Given up: nothing is to be done for it when a stream comes free. */
    boolean gone() {
      return resending != null ? resending.closed : settled;
    }

    long timeoutMillis() {
      return timeoutMillis;
    }

    /**
     * Every connection allowed is open and at the peer's stream limit: the attempt waits for a stream
     * to end, for as long as the request has left (not the connect timeout), then counts as busy.
     */
    void waitForStream() {
      if (queued || settled) {
        return;
      }
      queued = true;
      if (timer != null) {
        timer.remove();
      }
      long wait = request.queueWait(MAX_STREAM_WAIT_MILLIS);
      timer = request.exchange().getIoThread().executeAfter(this::timedOut, wait, TimeUnit.MILLISECONDS);
    }

    /** Too many attempts already wait for a stream to this endpoint. */
    void overloaded() {
      if (settle()) {
        request.overloaded(to, "no stream to " + to.key() + " free: " + MAX_WAITING
            + " requests already wait for one (its HTTP/2 connections are at the backend's stream limit)");
      }
    }

    void connected(Conn conn) {
      try {
        Stream again = resending;
        if (again != null) {
          resending = null;
          if (timer != null) {
            timer.remove();
            timer = null;
          }
          if (again.closed || request.over()) {
            conn.released();
            return;
          }
          again.conn = conn;
          send(conn, again);
          return;
        }
        if (!settle()) {
          conn.released();
          return;
        }
        Stream stream = new Stream(conn, request);
        request.using(stream);
        send(conn, stream);
      } catch (RuntimeException e) {
        request.unexpected("sending the request", e);
      }
    }

    void failed(IOException e) {
      try {
        if (settle()) {
          unreached("could not connect to " + to.key() + " over HTTP/2"
              + (to.tls().isPresent() ? " (refused, unreachable, or the TLS handshake failed): " : ": ")
              + reason(e));
        }
      } catch (RuntimeException x) {
        request.unexpected("connecting", x);
      }
    }

    private void send(Conn owner, Stream stream) {
      ClientConnection conn = owner.conn;
      HttpServerExchange exchange = request.exchange();
      ClientRequest r = new ClientRequest();
      r.setMethod(exchange.getRequestMethod());
      r.setPath(request.target());
      HeaderMap h = r.getRequestHeaders();
      request.headers(h::add);
      // HTTP/2 has no connection-specific headers (RFC 9113 section 8.2.2); TE may only say trailers,
      // which gRPC servers look for.
      h.remove(Headers.UPGRADE);
      h.remove(new HttpString("Proxy-Connection"));
      String te = exchange.getRequestHeaders().getFirst(Headers.TE);
      if (te != null && te.toLowerCase(java.util.Locale.ROOT).contains("trailers")) {
        h.put(Headers.TE, "trailers");
      } else {
        h.remove(Headers.TE);
      }
      conn.sendRequest(
          r,
          new ClientCallback<>() {
            @Override
            public void completed(ClientExchange result) {
              try {
                stream.exchange(result);
                sent(stream, result);
              } catch (RuntimeException e) {
                request.unexpected("sending the request", e);
              }
            }

            @Override
            public void failed(IOException e) {
              if (owner.conn.isOpen() && owner.channel.isOpen() && !stream.closed) {
                // Undertow counted the connection full (see Conn.spent): nothing was sent, another stream is waited for
                owner.refusedLocally(Attempt.this, stream);
                return;
              }
              // no stream was opened: the connection had closed or gone away
              request.notSent(stream, e);
            }
          });
    }

    private void sent(Stream stream, ClientExchange result) {
      result.setResponseListener(new ResponseHandler(stream, request));
      StreamSinkChannel sink = result.getRequestChannel();
      byte[] body = request.body();
      ReplayPrefix replay = request.replay();
      if (body != null) {
        requestTrailers(request.exchange(), result);
        Sinks.write(body, sink, e -> stream.failed("sending the body", e));
      } else if (replay != null && replay.started()) {
        // an earlier attempt's stream was refused: what it read of the caller's body goes first
        Sinks.write(replay.bytes(), sink, e -> stream.failed("sending the body", e), s -> restOfBody(stream, result, s));
      } else {
        restOfBody(stream, result, sink);
      }
    }

    /** The caller's body from where the replayed part ended (or from its start), then its trailers. */
    private void restOfBody(Stream stream, ClientExchange result, StreamSinkChannel sink) {
      HttpServerExchange exchange = request.exchange();
      ReplayPrefix replay = request.replay();
      StreamSourceChannel source = null;
      if (request.hasBody() && (replay == null || !replay.isEnded())) {
        source = replay != null ? replay.source(exchange) : exchange.isRequestComplete() ? null : exchange.getRequestChannel();
      }
      if (source == null) {
        requestTrailers(exchange, result);
        Sinks.finishWrites(sink);
        return;
      }
      stream.body = Pump.start(
          source,
          sink,
          exchange.getConnection().getByteBufferPool(),
          s -> {
            stream.body = null;
            if (replay != null) {
              replay.ended();
            }
            requestTrailers(exchange, result);
            Sinks.finishWrites(s);
          },
          (c, e) -> stream.failed("sending the body", e),
          replay);
    }

    /** The caller's request trailers, when it sent any, go on after the body. */
    private static void requestTrailers(HttpServerExchange exchange, ClientExchange result) {
      HeaderMap trailers = exchange.getAttachment(HttpAttachments.REQUEST_TRAILERS);
      if (trailers != null && trailers.size() > 0) {
        result.putAttachment(HttpAttachments.RESPONSE_TRAILERS, trailers);
      }
    }
  }

  /** The backend's answer on one stream, its body relayed, then its trailers. */
  private static final class ResponseHandler implements ClientCallback<ClientExchange>, ChannelExceptionHandler<Channel> {
    private static final HttpString GRPC_STATUS = new HttpString("grpc-status");
    private static final HttpString GRPC_MESSAGE = new HttpString("grpc-message");
    private final Stream stream;
    private final UpstreamRequest request;
    /** The backend's body, once relayed, and the caller's (Undertow hands that channel out once). */
    private StreamSourceChannel backend;
    private StreamSinkChannel caller;
    /** Where a gRPC answer's body is in its framing; null for other answers. */
    private GrpcFrames frames;

    ResponseHandler(Stream stream, UpstreamRequest request) {
      this.stream = stream;
      this.request = request;
    }

    @Override
    public void completed(ClientExchange result) {
      try {
        answered(result);
      } catch (RuntimeException e) {
        request.unexpected("reading the response", e);
      }
    }

    @Override
    public void failed(IOException e) {
      stream.failed("reading the response", e);
    }

    /**
     * Relaying the body failed on either side: the backend's stream and the caller's are reset. But
     * when the backend's side broke (it was killed, reset the stream, or went away) between two
     * messages of a gRPC call, the caller's call is ended with trailers saying UNAVAILABLE, which
     * gRPC clients understand; a reset would read as CANCELLED (RST_STREAM CANCEL).
     */
    @Override
    public void handleException(Channel channel, IOException e) {
      IoUtils.safeClose(stream);
      if (frames != null && channel == backend && frames.betweenMessages() && !(e.getCause() instanceof RuntimeException)) {
        unavailable(e);
        return;
      }
      request.relayFailed(e);
    }

    private void unavailable(IOException e) {
      HeaderMap trailers = new HeaderMap();
      trailers.put(GRPC_STATUS, "14");
      // printable ASCII without '%' needs no percent-encoding in grpc-message
      String why = ("the backend's stream broke mid-call: " + ConnectWait.reason(e)).replaceAll("[^ -~]|%", "?");
      trailers.put(GRPC_MESSAGE, why);
      try {
        request.responseEnded(trailers);
      } catch (RuntimeException x) {
        request.unexpected("ending the call", x);
        return;
      }
      HttpServerExchange exchange = request.exchange();
      exchange.putAttachment(HttpAttachments.RESPONSE_TRAILERS, trailers);
      Sinks.finishWrites(caller);
    }

    private void answered(ClientExchange result) {
      stream.answered = true;
      ClientResponse response = result.getResponse();
      HeaderMap headers = response.getResponseHeaders();
      headers.remove(Headers.TRANSFER_ENCODING);
      headers.remove(Headers.CONNECTION);
      if (!request.answered(stream, response.getResponseCode(), headers)) {
        return;
      }
      HttpServerExchange exchange = request.exchange();
      String type = headers.getFirst(Headers.CONTENT_TYPE);
      if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/grpc")) {
        frames = new GrpcFrames();
      }
      backend = result.getResponseChannel();
      caller = exchange.getResponseChannel();
      Pump.start(
          backend,
          caller,
          exchange.getConnection().getByteBufferPool(),
          sink -> ended(result, sink),
          this,
          frames);
    }

    /** The backend's body has ended: its trailers (Undertow's client keeps them as the request's) go on. */
    private void ended(ClientExchange result, StreamSinkChannel sink) {
      stream.ended();
      HeaderMap trailers = result.getAttachment(HttpAttachments.REQUEST_TRAILERS);
      if (trailers == null) {
        trailers = new HeaderMap();
      }
      try {
        request.responseEnded(trailers);
      } catch (RuntimeException e) {
        request.unexpected("relaying the trailers", e);
      }
      if (trailers.size() > 0) {
        request.exchange().putAttachment(HttpAttachments.RESPONSE_TRAILERS, trailers);
      }
      Sinks.finishWrites(sink);
    }
  }
}
