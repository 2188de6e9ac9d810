package dev.turnout.app;

import dev.turnout.config.AdminConfig;
import dev.turnout.tls.ServerTls;
import io.javalin.config.JavalinConfig;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * What the control plane's admin server adds to Javalin's Jetty: HTTPS with {@code admin.tls}, {@code
 * HEAD} on the dashboard answered by the {@code GET} route with the same headers and no body, and a
 * listener made for a fleet: a deep accept queue and a buffer pool that keeps little.
 *
 * <p>With TLS the port speaks nothing else: a plaintext request fails the handshake and the
 * connection is closed, with no HTTP answer. The TLS comes from a {@link ServerTls}, whose material a
 * reloader may swap for new handshakes. Jetty's SNI host check is off: it would answer 400 to a client
 * that dials the address rather than a name in the certificate, and checking the name is the
 * client's side of TLS, not the server's.
 */
final class AdminJetty {
  /** How long browsers keep to HTTPS for this host once they have seen it over HTTPS. */
  static final Duration HSTS = Duration.ofDays(365);

  private AdminJetty() {}

  static void configure(JavalinConfig c, AdminConfig admin, Optional<ServerTls> tls) {
    // Javalin puts its own handler inside a wrapper it finds on the server.
    c.jetty.modifyServer(server -> server.setHandler(new HeadAsGet()));
    if (tls.isEmpty()) {
      c.jetty.addConnector((server, http) -> connector(server, admin, new HttpConnectionFactory(http)));
    }
    tls.ifPresent(t -> c.jetty.addConnector((server, http) -> {
      HttpConfiguration https = new HttpConfiguration(http);
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      secure.setSniHostCheck(false);
      secure.setStsMaxAge(HSTS.toSeconds());
      https.addCustomizer(secure);
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setSslContext(t.context());
      ssl.setIncludeProtocols(t.protocols().toArray(new String[0]));
      if (!t.ciphers().isEmpty()) {
        ssl.setExcludeCipherSuites();
        ssl.setIncludeCipherSuites(t.ciphers().toArray(new String[0]));
      }
      ssl.setNeedClientAuth(t.requireClientAuth());
      t.onReload(next -> {
        try {
          ssl.reload(f -> f.setSslContext(next));
        } catch (Exception e) {
          throw new IllegalStateException("Jetty refused the reloaded TLS context: " + e, e);
        }
      });
      return connector(server, admin, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    }));
  }

  /**
   * Connections a fleet opens at once (every follower after a control plane restarts) wait in the
   * kernel's queue rather than being dropped; Linux caps it at {@code net.core.somaxconn}.
   */
  static final int ACCEPT_QUEUE = 1024;

  /**
   * What the admin port's buffer pool keeps of the buffers it has lent, per kind (heap, direct):
   * Jetty's default keeps up to an eighth of the maximum heap, which a burst of writes to thousands of
   * watch streams fills and never gives back.
   */
  static final long POOL_KEEPS = 4 * 1024 * 1024;

  /** The admin listener on {@code admin}'s address, with its own bounded buffer pool. */
  private static ServerConnector connector(Server server, AdminConfig admin, ConnectionFactory... factories) {
    ServerConnector connector =
        new ServerConnector(
            server, null, null, new ArrayByteBufferPool(0, 0, -1, -1, POOL_KEEPS, POOL_KEEPS), -1, -1, factories);
    connector.setHost(admin.ip());
    connector.setPort(admin.port());
    connector.setAcceptQueueSize(ACCEPT_QUEUE);
    return connector;
  }

  /**
   * Serves {@code HEAD} with the {@code GET} route: the handler sees {@code GET}, while Jetty's HTTP
   * layer, which read the request as {@code HEAD}, sends the headers (with the length) and no body.
   * Not under {@code /api/}: namerd's {@code HEAD /api/1/dtabs/NS} answers with the ETag alone, by
   * its own route, and a {@code HEAD} on a watch must not open a stream.
   */
  static final class HeadAsGet extends Handler.Wrapper {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (!HttpMethod.HEAD.is(request.getMethod()) || Request.getPathInContext(request).startsWith("/api/")) {
        return super.handle(request, response, callback);
      }
      Request asGet =
          new Request.Wrapper(request) {
            @Override
            public String getMethod() {
              return HttpMethod.GET.asString();
            }
          };
      return super.handle(asGet, response, callback);
    }
  }
}
