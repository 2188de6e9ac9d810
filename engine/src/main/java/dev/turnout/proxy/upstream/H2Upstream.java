package dev.turnout.proxy.upstream;

import dev.turnout.routing.Endpoint;
import dev.turnout.tls.ClientTls;
import io.undertow.UndertowOptions;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
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
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.xnio.Cancellable;
import org.xnio.ChannelExceptionHandler;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * The upstream client of h2 routers: HTTP/2 to every endpoint, with prior knowledge ({@code h2c}) in
 * plaintext, or ALPN {@code h2} when the router's client has {@code tls}. It is Undertow's HTTP/2
 * client (its framing, HPACK, flow control both ways and trailers), not its proxy pool, which hands a
 * connection to one request at a time: here each IO thread keeps <b>one connection per endpoint</b> and
 * every request of that thread to the endpoint is a stream on it. A request asks its thread's
 * connection; one being opened is waited for (within the connect timeout); a connection the peer has
 * sent GOAWAY on, or that closed, is replaced by a new one for the next request.
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
 * SETTINGS_INITIAL_WINDOW_SIZE (RFC 9113 section 6.9.2). Not done: the peer's {@code
 * SETTINGS_MAX_CONCURRENT_STREAMS} is not queued behind (a stream past it is refused by the peer and
 * fails as a broken attempt).
 */
public final class H2Upstream implements UpstreamClient {
  private static final OptionMap H2_OPTIONS =
      OptionMap.builder().addAll(OPTIONS).set(UndertowOptions.ENABLE_HTTP2, true).getMap();

  private final ConcurrentHashMap<Key, Slot> slots = new ConcurrentHashMap<>();

  /** A thread's connection to an endpoint, plaintext or over one TLS setting. */
  private record Key(XnioIoThread thread, String endpoint, Optional<ClientTls> tls) {}

  @Override
  public Cancellable start(Endpoint endpoint, long connectTimeoutMillis, UpstreamRequest request) {
    URI plain;
    try {
      plain = UpstreamClient.uri(endpoint);
    } catch (IllegalArgumentException notAnAddress) {
      request.unreachable(endpoint, notAnAddress.getMessage());
      return ANSWERED;
    }
    HttpServerExchange exchange = request.exchange();
    XnioIoThread thread = exchange.getIoThread();
    Key key = new Key(thread, endpoint.key(), endpoint.tls());
    Slot slot = slots.get(key);
    if (slot == null) {
      slot = slots.computeIfAbsent(key, k -> new Slot(k, plain));
    }
    Attempt attempt = new Attempt(endpoint, connectTimeoutMillis, request);
    slot.take(attempt);
    if (!attempt.settled) {
      attempt.timer = thread.executeAfter(attempt::timedOut, connectTimeoutMillis, TimeUnit.MILLISECONDS);
    }
    return attempt;
  }

  /** Connections open (or being opened) to every endpoint, on every thread. */
  public int open() {
    int n = 0;
    for (Slot s : slots.values()) {
      ClientConnection c = s.conn;
      if (c != null && c.isOpen()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    for (Slot s : slots.values()) {
      ClientConnection c = s.conn;
      if (c != null) {
        s.conn.getIoThread().execute(() -> IoUtils.safeClose(c));
      }
    }
    slots.clear();
  }

  /** One endpoint's connection on one IO thread; touched by that thread only. */
  private static final class Slot implements ClientCallback<ClientConnection> {
    private final Key key;
    private final URI uri;
    ClientConnection conn;
    private boolean connecting;
    private final ArrayDeque<Attempt> waiting = new ArrayDeque<>();

    Slot(Key key, URI plain) {
      this.key = key;
      this.uri = URI.create((key.tls().isPresent() ? "https://" : "h2c-prior://") + plain.getRawAuthority());
    }

    void take(Attempt a) {
      ClientConnection c = conn;
      if (c != null && c.isOpen()) {
        a.connected(c);
        return;
      }
      conn = null;
      waiting.add(a);
      if (!connecting) {
        connecting = true;
        var pool = a.request.exchange().getConnection().getByteBufferPool();
        if (key.tls().isEmpty()) {
          H2Connect.plaintext(uri, key.thread(), pool, H2_OPTIONS, this);
        } else {
          H2Connect.tls(uri, key.thread(), UpstreamTls.forUndertow(key.tls().get(), "h2"), pool, H2_OPTIONS, this);
        }
      }
    }

    @Override
    public void completed(ClientConnection c) {
      connecting = false;
      if (!c.isMultiplexingSupported()) {
        IoUtils.safeClose(c);
        failed(new IOException("the backend did not agree to HTTP/2 by ALPN (it offered only HTTP/1.1)"));
        return;
      }
      conn = c;
      c.addCloseListener(closed -> {
        if (conn == closed) {
          conn = null;
        }
      });
      Attempt a;
      while ((a = waiting.poll()) != null) {
        a.connected(c);
      }
    }

    @Override
    public void failed(IOException e) {
      connecting = false;
      Attempt a;
      while ((a = waiting.poll()) != null) {
        a.failed(e);
      }
    }
  }

  /**
   * One request's stream, as the request holds it: closing it before both directions have ended resets
   * the stream upstream, and leaves the connection to the other streams.
   */
  static final class Stream implements Closeable {
    private ClientExchange exchange;
    private boolean closed;
    private boolean ended;

    void exchange(ClientExchange e) {
      exchange = e;
      if (closed) {
        reset();
      }
    }

    /** Both directions have ended: closing is a no-op from now on. */
    void ended() {
      ended = true;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (exchange != null) {
        reset();
      }
    }

    private void reset() {
      if (ended) {
        return;
      }
      StreamSourceChannel response = exchange.getResponse() == null ? null : exchange.getResponseChannel();
      // Closing a stream's channels before they ended resets the stream (RST_STREAM CANCEL).
      IoUtils.safeClose(exchange.getRequestChannel());
      if (response != null) {
        IoUtils.safeClose(response);
      }
    }
  }

  /** One attempt's wait for the thread's connection, then the request sent as a stream on it. */
  private static final class Attempt extends ConnectWait {
    Attempt(Endpoint to, long timeoutMillis, UpstreamRequest request) {
      super(to, false, timeoutMillis, request);
    }

    void connected(ClientConnection conn) {
      try {
        if (settle()) {
          Stream stream = new Stream();
          request.using(stream);
          send(conn, stream);
        }
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

    private void send(ClientConnection conn, Stream stream) {
      HttpServerExchange exchange = request.exchange();
      ClientRequest r = new ClientRequest();
      r.setMethod(exchange.getRequestMethod());
      r.setPath(request.target());
      HeaderMap h = r.getRequestHeaders();
      request.headers(h);
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
              // no stream was opened: the connection had closed or gone away
              request.notSent(stream, e);
            }
          });
    }

    private void sent(Stream stream, ClientExchange result) {
      result.setResponseListener(new ResponseHandler(stream, request));
      StreamSinkChannel sink = result.getRequestChannel();
      HttpServerExchange exchange = request.exchange();
      byte[] body = request.body();
      ChannelExceptionHandler<Channel> broken = (c, e) -> request.broken("sending the body", stream, e);
      if (body != null) {
        requestTrailers(exchange, result);
        Sinks.write(body, sink, e -> request.broken("sending the body", stream, e));
      } else if (request.hasBody() && !exchange.isRequestComplete()) {
        Pump.start(
            exchange.getRequestChannel(),
            sink,
            exchange.getConnection().getByteBufferPool(),
            s -> {
              requestTrailers(exchange, result);
              Sinks.finishWrites(s);
            },
            broken);
      } else {
        requestTrailers(exchange, result);
        Sinks.finishWrites(sink);
      }
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
      request.broken("reading the response", stream, e);
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
