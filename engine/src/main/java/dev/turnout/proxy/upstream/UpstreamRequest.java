package dev.turnout.proxy.upstream;

import dev.turnout.config.H2ClientSettings;
import dev.turnout.routing.Endpoint;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import java.io.Closeable;
import java.io.IOException;

/**
 * A request as an {@link UpstreamClient} sees it: what to send, and where each attempt's outcome goes.
 * Every method is called on the exchange's IO thread. An attempt reports one of {@link #unreachable},
 * {@link #busy}, {@link #notSent}, {@link #broken} or {@link #answered} (a report about an earlier
 * attempt's connection is the request's to ignore), and after a taken answer perhaps {@link
 * #relayFailed}. A client hands an exception out of a report to {@link #unexpected}; {@link #notSent}
 * and {@link #broken} catch their own.
 */
public interface UpstreamRequest {
  HttpServerExchange exchange();

  /** The request line's target: the path and the query. */
  String target();

  /**
   * Writes the headers the backend gets to {@code out}, each line once: the caller's end-to-end ones,
   * then this hop's own.
   */
  void headers(HeaderSink out);

  /** The body held whole, sent by every attempt; null when there is none or it is streamed. */
  byte[] body();

  /** The request carries a body: held ({@link #body()}) or streamed from the exchange. */
  boolean hasBody();

  /** True once the request has ended: a connection that comes now is not used for it. */
  boolean over();

  /** How long to wait in a pool's queue behind busy connections: the connect timeout, or less. */
  long queueWait(long connectTimeoutMillis);

  /**
   * The attempt's connection is now {@code connection}, which the request closes if it ends first;
   * null once the client's relay owns it.
   */
  void using(Closeable connection);

  /** No connection to {@code endpoint} came: refused, unreachable, an unknown host, or the connect timeout. */
  void unreachable(Endpoint endpoint, String why);

  /** No connection to {@code endpoint} was free: every one allowed is in use, which is not its fault. */
  void busy(Endpoint endpoint, String why);

  /**
   * The endpoint's pool has as many requests waiting as its {@code maxWaiters} allows: this one is
   * refused at once rather than queued. By default, as any busy pool.
   */
  default void overloaded(Endpoint endpoint, String why) {
    busy(endpoint, why);
  }

  /** {@code connection} was dead before a byte of the request went out on it (closed). */
  void notSent(Closeable connection, IOException e);

  /** {@code connection} broke after the request went out, while {@code where}; closed. */
  void broken(String where, Closeable connection, IOException e);

  /**
   * The backend did not process the request sent on {@code connection} (an HTTP/2 stream it refused
   * with {@code RST_STREAM REFUSED_STREAM}, or one past the last stream of its {@code GOAWAY}), which is
   * closed: the request may go again, as one never sent, when its body can be sent again. By default,
   * as a broken connection.
   */
  default void refused(Closeable connection, String why) {
    broken("sending the request", connection, new IOException(why));
  }

  /**
   * Where a streamed request body keeps what it has read from the caller, so that a refused stream can
   * be sent again ({@link #refused}); null when nothing is kept (no body, a body held whole, or HTTP/1.1).
   */
  default ReplayPrefix replay() {
    return null;
  }

  /** The HTTP/2 settings announced on the connections an h2 request's attempts use. */
  default H2ClientSettings h2Settings() {
    return H2ClientSettings.DEFAULT;
  }

  /**
   * The map an HTTP/1.1 answer's head may be parsed straight into: the exchange's own response
   * headers, while they are empty and no answer has begun, so a relayed answer needs no second map
   * and copy; null for a map of the answer's own. An answer parsed into it and then not taken is
   * cleared from it by {@link #answered}; one the client drops before (an interim answer, a broken
   * head) the client clears.
   */
  default HeaderMap answerHeaders() {
    return null;
  }

  /**
   * The answer's head: true when it is the request's answer (its status and headers are set on the
   * exchange and the client relays its body), false when it is not taken ({@code connection} closed).
   * {@code headers} may be {@link #answerHeaders()}: then the hop-by-hop ones are dropped from it in
   * place (when taken) or it is emptied (when not).
   */
  boolean answered(Closeable connection, int status, HeaderMap headers);

  /**
   * A taken answer's body has ended, with {@code trailers} (empty when it had none), which the request
   * may add to before they go to the caller. By default, nothing to do.
   */
  default void responseEnded(HeaderMap trailers) {}

  /** Relaying a taken answer's body failed; the backend connection is closed, the caller's must be. */
  void relayFailed(IOException e);

  /** An exception from Turnout's own code while {@code where}: a bug, answered 500 and logged. */
  void unexpected(String where, RuntimeException e);
}
