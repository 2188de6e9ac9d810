package dev.turnout.app;

import dev.turnout.config.PrometheusTelemetry;
import dev.turnout.metrics.LinkerdPrometheus;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.proxy.HttpVersionGate;
import dev.turnout.web.metrics.MetricsRoutes;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import dev.turnout.tls.ServerTls;
import io.undertow.util.HttpString;
import org.xnio.Options;
import org.xnio.Sequence;
import org.xnio.SslClientAuthMode;

/**
 * The admin port of a proxy-only process: {@code GET /health} (200 {@code ok} once the proxy serves,
 * 503 before), {@value MetricsRoutes#PROMETHEUS}, {@value MetricsRoutes#JSON} ({@code ?pretty}
 * indents) and each {@code io.l5d.prometheus} telemeter's path in Linkerd 1's Prometheus names,
 * answered to whoever reaches the port, as Linkerd 1's admin port is; anything else is 404.
 *
 * <p>It runs on Undertow, which the proxy is built on anyway, rather than on Javalin and Jetty as the
 * control plane's admin server does: for a process with three endpoints those two cost some 730 more
 * classes (Jetty, Javalin and Kotlin's runtime) and Jetty's own threads. One IO thread accepts and
 * parses; a scrape, which walks the whole registry, runs on one of two task threads, never on the IO
 * thread.
 *
 * <p>With {@code admin.tls} it speaks HTTPS only (a plaintext request fails the handshake and is
 * closed), on the material of a {@link ServerTls} a reloader may swap, and every answer carries
 * {@code Strict-Transport-Security}; {@code /health} adds a line for new certificate files that
 * could not be used.
 */
final class ProxyAdmin implements AutoCloseable {
  private final Undertow server;

  private ProxyAdmin(Undertow server) {
    this.server = server;
  }

  /**
   * Binds {@code ip:port} (0: any free port).
   *
   * @throws IllegalStateException naming the address when it cannot be bound
   * @param telemetry the {@code io.l5d.prometheus} telemeters, each served at its path
   * @param serving whether the proxy is open, which {@code /health} reports
   */
  static ProxyAdmin start(
      String ip, int port, ProxyMetrics metrics, List<PrometheusTelemetry> telemetry, BooleanSupplier serving) {
    return start(ip, port, metrics, telemetry, serving, Optional.empty(), () -> "");
  }

  /**
   * As above, over HTTPS with {@code tls} when present.
   *
   * @param tlsProblems lines for {@code /health} about certificate files that could not be reloaded
   */
  static ProxyAdmin start(
      String ip,
      int port,
      ProxyMetrics metrics,
      List<PrometheusTelemetry> telemetry,
      BooleanSupplier serving,
      Optional<ServerTls> tls,
      Supplier<String> tlsProblems) {
    RoutingHandler routes =
        new RoutingHandler()
            .get("/health", ex -> {
              boolean ok = serving.getAsBoolean();
              ex.setStatusCode(ok ? 200 : 503);
              reply(ex, "text/plain; charset=utf-8", (ok ? "ok\n" : "not serving\n") + tlsProblems.get());
            })
            .get(MetricsRoutes.PROMETHEUS, blocking(ex ->
                reply(ex, MetricsRoutes.PROMETHEUS_TYPE, metrics.registry().scrape())))
            .get(MetricsRoutes.JSON, blocking(ex ->
                reply(ex, "application/json",
                    MetricsRoutes.json(metrics, ex.getQueryParameters().containsKey("pretty")))))
            .setFallbackHandler(ex -> {
              ex.setStatusCode(404);
              reply(ex, "text/plain; charset=utf-8", "Not Found\n");
            })
            .setInvalidMethodHandler(ex -> {
              ex.setStatusCode(405);
              ex.getResponseHeaders().put(Headers.ALLOW, Methods.GET_STRING);
              reply(ex, "text/plain; charset=utf-8", "Method Not Allowed\n");
            });
    for (PrometheusTelemetry t : telemetry) {
      LinkerdPrometheus linkerd = new LinkerdPrometheus(metrics, t.prefix());
      routes.get(t.path(), blocking(ex -> reply(ex, MetricsRoutes.PROMETHEUS_TYPE, linkerd.scrape())));
    }
    HttpHandler root = new HttpVersionGate(headers(routes, tls.isPresent()));
    Undertow.Builder builder =
        Undertow.builder().setIoThreads(1).setWorkerThreads(2).setWorkerOption(Options.WORKER_NAME, "turnout-admin");
    if (tls.isPresent()) {
      ServerTls t = tls.get();
      builder.addHttpsListener(port, ip, t.context(), root)
          .setSocketOption(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(t.protocols()))
          .setSocketOption(
              Options.SSL_CLIENT_AUTH_MODE, t.requireClientAuth() ? SslClientAuthMode.REQUIRED : SslClientAuthMode.NOT_REQUESTED);
      if (!t.ciphers().isEmpty()) {
        builder.setSocketOption(Options.SSL_ENABLED_CIPHER_SUITES, Sequence.of(t.ciphers()));
      }
    } else {
      builder.addHttpListener(port, ip, root);
    }
    Undertow server = builder.build();
    tls.ifPresent(t -> t.onReload(next -> server.getListenerInfo().get(0).setSslContext(next)));
    try {
      server.start();
    } catch (RuntimeException e) {
      // Undertow wraps the BindException (port in use, address not on this host) without a message.
      Throwable why = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(TurnoutServer.adminTaken(ip, port, why.getMessage()), e);
    }
    return new ProxyAdmin(server);
  }

  /** Every answer says not to sniff its type; over TLS, that the host is to be reached over TLS only. */
  private static HttpHandler headers(HttpHandler next, boolean tls) {
    HttpString nosniff = new HttpString("X-Content-Type-Options");
    HttpString hsts = new HttpString("Strict-Transport-Security");
    String hstsValue = "max-age=" + AdminJetty.HSTS.toSeconds();
    return ex -> {
      ex.getResponseHeaders().put(nosniff, "nosniff");
      if (tls) {
        ex.getResponseHeaders().put(hsts, hstsValue);
      }
      next.handleRequest(ex);
    };
  }

  /** {@code handler} on a task thread: it may take its time without holding up the IO thread. */
  private static HttpHandler blocking(HttpHandler handler) {
    return ex -> {
      if (ex.isInIoThread()) {
        ex.dispatch(handler);
      } else {
        handler.handleRequest(ex);
      }
    };
  }

  private static void reply(HttpServerExchange ex, String type, String body) {
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    ex.getResponseSender().send(body, StandardCharsets.UTF_8);
  }

  int port() {
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  @Override
  public void close() {
    server.stop();
  }
}
