package dev.turnout.proxy.upstream;

import dev.turnout.routing.Endpoint;
import java.net.URI;
import java.net.URISyntaxException;
import org.xnio.Cancellable;
import org.xnio.OptionMap;
import org.xnio.Options;

/**
 * A way to carry one attempt of a request to one endpoint: get a connection (within the connect
 * timeout), send the request on it, and hand the answer's head to the request, which takes it or not;
 * a taken answer's body is then relayed to the caller by the client. How the attempt went is reported
 * to the {@link UpstreamRequest}, on the exchange's IO thread, never blocking it.
 *
 * <p>Two clients exist: {@link Http1Client}, Turnout's own HTTP/1.1 client on XNIO, for a request
 * whose body (if any) is held whole and which asks for no upgrade; and {@link UndertowUpstream},
 * Undertow's client, for a streamed body or a protocol upgrade (a WebSocket). A TLS transport and an
 * HTTP/2 client are meant to be more of them.
 */
public interface UpstreamClient extends AutoCloseable {
  /** The socket options of every upstream connection. */
  OptionMap OPTIONS = OptionMap.builder().set(Options.TCP_NODELAY, true).getMap();

  /** What {@link #start} returns for an attempt that was answered inside the call. */
  Cancellable ANSWERED = () -> null;

  /**
   * Starts an attempt of {@code request} on {@code endpoint}. A connection not made within {@code
   * connectTimeoutMillis} is reported as {@link UpstreamRequest#unreachable}; an endpoint that is not an
   * address at all is reported so at once, inside this call. Returns what gives the attempt up while it
   * still waits for its connection (nothing more is then reported about it); once the connection is the
   * request's ({@link UpstreamRequest#using}), closing that ends the attempt instead.
   */
  Cancellable start(Endpoint endpoint, long connectTimeoutMillis, UpstreamRequest request);

  /** Closes the idle connections; busy ones close as their requests end. */
  @Override
  void close();

  /**
   * The endpoint as a client connects to it.
   *
   * @throws IllegalArgumentException naming the address when it is not one a connection can be made
   *     to (a host {@link URI} cannot hold, which Undertow would otherwise meet as a null host)
   */
  static URI uri(Endpoint endpoint) {
    URI uri;
    try {
      uri = new URI("http://" + endpoint.key());
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("cannot connect to " + endpoint.key() + ": not a host and port");
    }
    return uri;
  }
}
