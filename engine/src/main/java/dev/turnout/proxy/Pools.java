package dev.turnout.proxy;

import dev.turnout.routing.Endpoint;
import io.undertow.client.UndertowClient;
import io.undertow.server.handlers.proxy.ConnectionPoolManager;
import io.undertow.server.handlers.proxy.ProxyConnectionPool;
import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import org.xnio.OptionMap;
import org.xnio.Options;

/**
 * Keep-alive connection pools, one per endpoint {@code host:port}, shared by every router of the process:
 * the {@link UpstreamPool} of Turnout's own upstream client, which carries every request whose body (if
 * any) is held whole, and Undertow's, which carries the rest (a streamed body, an upgrade). Both keep
 * connections per IO thread, so an exchange always gets a connection owned by its own thread and
 * nothing is locked. Whether an endpoint is healthy is Turnout's failure accrual's
 * business, not the pool's: the pool is told to treat every endpoint as available.
 */
final class Pools implements AutoCloseable {
  private static final ConnectionPoolManager MANAGER =
      new ConnectionPoolManager() {
        @Override
        public int getProblemServerRetry() {
          return -1;
        }

        @Override
        public boolean isAvailable() {
          return true;
        }

        @Override
        public boolean handleError() {
          return true;
        }

        @Override
        public boolean clearError() {
          return true;
        }

        @Override
        public int getMaxConnections() {
          return 1024;
        }

        @Override
        public int getMaxCachedConnections() {
          return 1024;
        }

        @Override
        public int getSMaxConnections() {
          return 64;
        }

        @Override
        public long getTtl() {
          return 60_000;
        }

        @Override
        public int getMaxQueueSize() {
          return 4096;
        }
      };

  static final OptionMap CLIENT_OPTIONS = OptionMap.builder().set(Options.TCP_NODELAY, true).getMap();

  private final ConcurrentHashMap<String, ProxyConnectionPool> pools = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, UpstreamPool> upstream = new ConcurrentHashMap<>();

  /**
   * Whether requests that {@link UpstreamConnection} can carry go by it. {@code
   * -Dturnout.proxy.upstream=undertow} sends every request by Undertow's client instead, for comparing
   * the two under the same load.
   */
  static final boolean LEAN = !"undertow".equals(System.getProperty("turnout.proxy.upstream"));

  /**
   * The pool of the upstream client's connections to {@code endpoint}.
   *
   * @throws IllegalArgumentException when the endpoint is not an address a connection can be made to
   */
  UpstreamPool upstream(Endpoint endpoint) {
    String key = endpoint.key();
    UpstreamPool p = upstream.get(key);
    if (p != null) {
      return p;
    }
    uri(endpoint); // the same check as for Undertow's pool, before anything is kept
    return upstream.computeIfAbsent(key, k -> new UpstreamPool(endpoint));
  }

  ProxyConnectionPool of(Endpoint endpoint) {
    String key = endpoint.key();
    ProxyConnectionPool p = pools.get(key);
    if (p != null) {
      return p;
    }
    return pools.computeIfAbsent(
        key,
        k ->
            new ProxyConnectionPool(
                MANAGER, uri(endpoint), UndertowClient.getInstance(), CLIENT_OPTIONS));
  }

  /**
   * The endpoint as the pool's client connects to it.
   *
   * @throws IllegalArgumentException naming the address when it is not one a connection can be made
   *     to (a host {@link URI} cannot hold, which Undertow would otherwise meet as a null host)
   */
  static URI uri(Endpoint endpoint) {
    URI uri;
    try {
      uri = new URI("http://" + endpoint.key());
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    if (uri == null || uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("cannot connect to " + endpoint.key() + ": not a host and port");
    }
    return uri;
  }

  /** The upstream client's connections open or being opened, to every endpoint. */
  int upstreamOpen() {
    int n = 0;
    for (UpstreamPool p : upstream.values()) {
      n += p.open();
    }
    return n;
  }

  @Override
  public void close() {
    pools.values().forEach(ProxyConnectionPool::close);
    pools.clear();
    upstream.values().forEach(UpstreamPool::close);
    upstream.clear();
  }
}
