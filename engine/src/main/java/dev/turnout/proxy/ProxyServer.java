package dev.turnout.proxy;

import dev.turnout.accesslog.AccessLog;
import dev.turnout.config.AccessLogConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerConfig;
import dev.turnout.metrics.Nanos;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.routing.Router;
import dev.turnout.tls.ServerTls;
import dev.turnout.tls.TlsReloader;
import dev.turnout.tracing.Tracing;
import io.micrometer.core.instrument.FunctionCounter;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.xnio.Options;

/**
 * Starts Turnout's data plane: one Undertow server with a listener per configured router server. What
 * a listener runs is built in one place, {@link #start}: a drain for graceful shutdown, the {@link
 * OpenGate} (nothing is taken before the router may route), the {@link HttpVersionGate}, Undertow's
 * {@code 100-continue} on first read, then the router server's {@link RouterChain} (request id, loop
 * guard, local dtab, identification, binding, mirroring, forwarding). All work happens on the IO
 * threads; backend connections are pooled per endpoint and shared by the routers.
 *
 * <pre>{@code
 * RunningProxy proxy = ProxyServer.start(config.routers(), interpreter,
 *     r -> DtabSource.fixed(r.dtab()), metrics);
 * int port = proxy.port("web");
 * }</pre>
 */
public final class ProxyServer {
  /** The most request-head bytes (request line and headers) a caller may send; more closes the connection. */
  public static final int MAX_HEADER_BYTES = 32 * 1024;

  /** How long a caller may take to send a whole request head before its connection is closed. */
  public static final java.time.Duration PARSE_TIMEOUT = java.time.Duration.ofSeconds(10);

  private ProxyServer() {}

  public static RunningProxy start(
      List<RouterConfig> routers,
      Interpreter interpreter,
      Function<RouterConfig, DtabSource> baseDtabs,
      ProxyMetrics metrics) {
    return start(routers, interpreter, baseDtabs, metrics, Nanos.SYSTEM);
  }

  /** As above, with the clock used for failure accrual, balancing and windows. */
  public static RunningProxy start(
      List<RouterConfig> routers,
      Interpreter interpreter,
      Function<RouterConfig, DtabSource> baseDtabs,
      ProxyMetrics metrics,
      LongSupplier nanos) {
    return start(routers, interpreter, baseDtabs, metrics, nanos, IoThreads.start(), true, true, Tracing.off(), ProxyTls.watchedBy(unwatched()));
  }

  /**
   * As the first form, on {@code threads} (those a {@link Warmup} ran on), which the proxy takes over:
   * closing the proxy closes them.
   */
  public static RunningProxy start(
      List<RouterConfig> routers,
      Interpreter interpreter,
      Function<RouterConfig, DtabSource> baseDtabs,
      ProxyMetrics metrics,
      IoThreads threads) {
    return start(routers, interpreter, baseDtabs, metrics, Nanos.SYSTEM, threads, true, true, Tracing.off(), ProxyTls.watchedBy(unwatched()));
  }

  /**
   * As {@link #start(List, Interpreter, Function, ProxyMetrics, IoThreads)}, on threads the caller
   * keeps: closing the proxy leaves them running. The warm-up runs throwaway proxies this way on the
   * threads the real one then takes over.
   */
  public static RunningProxy startOnLentThreads(
      List<RouterConfig> routers,
      Interpreter interpreter,
      Function<RouterConfig, DtabSource> baseDtabs,
      ProxyMetrics metrics,
      IoThreads threads) {
    return start(routers, interpreter, baseDtabs, metrics, Nanos.SYSTEM, threads, false, true, Tracing.off(), ProxyTls.watchedBy(unwatched()));
  }

  /**
   * As {@link #start(List, Interpreter, Function, ProxyMetrics, IoThreads)}, but every router's
   * listeners, though bound, accept nothing until {@link RunningProxy#open(String)}: a port that is
   * taken fails here, before a warm-up, while connections that arrive before the router may route
   * wait in the kernel's queue rather than being answered without routes.
   *
   * @throws ProxyBindException naming the address, the router and what sets the port, when one is taken
   */
  public static RunningProxy bind(
      List<RouterConfig> routers,
      Interpreter interpreter,
      Function<RouterConfig, DtabSource> baseDtabs,
      ProxyMetrics metrics,
      IoThreads threads) {
    return bind(routers, interpreter, baseDtabs, metrics, threads, Tracing.off());
  }

  /** As above, following the requests {@code tracing} samples (it stays the caller's to close). */
  public static RunningProxy bind(
      List<RouterConfig> routers,
      Interpreter interpreter,
      Function<RouterConfig, DtabSource> baseDtabs,
      ProxyMetrics metrics,
      IoThreads threads,
      Tracing tracing) {
    return bind(routers, interpreter, baseDtabs, metrics, threads, tracing, unwatched());
  }

  /**
   * As above, with each TLS router server's certificate files watched by {@code reloader}: a change
   * it loads is presented on the listener's new connections.
   *
   * @throws dev.turnout.tls.TlsException naming the server's {@code tls} key, the file and the problem
   */
  public static RunningProxy bind(
      List<RouterConfig> routers,
      Interpreter interpreter,
      Function<RouterConfig, DtabSource> baseDtabs,
      ProxyMetrics metrics,
      IoThreads threads,
      Tracing tracing,
      TlsReloader reloader) {
    return bind(routers, interpreter, baseDtabs, metrics, threads, tracing, ProxyTls.watchedBy(reloader));
  }

  /**
   * As above, with the routers' certificates as {@code tls} read them (at start-up, before the store
   * was opened) and watches them.
   *
   * @throws dev.turnout.tls.TlsException naming the {@code tls} key, the file and the problem, for a
   *     block {@code tls} had not read
   */
  public static RunningProxy bind(
      List<RouterConfig> routers,
      Interpreter interpreter,
      Function<RouterConfig, DtabSource> baseDtabs,
      ProxyMetrics metrics,
      IoThreads threads,
      Tracing tracing,
      ProxyTls tls) {
    return start(routers, interpreter, baseDtabs, metrics, Nanos.SYSTEM, threads, true, false, tracing, tls);
  }

  /** A reloader that is never polled: the starts without one load their TLS files once. */
  private static TlsReloader unwatched() {
    return new TlsReloader(System::nanoTime, TlsReloader.EVERY);
  }

  /** As {@link #start(List, Interpreter, Function, ProxyMetrics, LongSupplier)}, following what {@code tracing} samples. */
  public static RunningProxy start(
      List<RouterConfig> routers,
      Interpreter interpreter,
      Function<RouterConfig, DtabSource> baseDtabs,
      ProxyMetrics metrics,
      LongSupplier nanos,
      Tracing tracing) {
    return start(routers, interpreter, baseDtabs, metrics, nanos, IoThreads.start(), true, true, tracing, ProxyTls.watchedBy(unwatched()));
  }

  /**
   * {@code ownThreads}: whether closing the proxy also closes {@code threads}; {@code openNow}: whether
   * the routers take requests at once, or only from {@link RunningProxy#open(String)}. A start that
   * fails releases what it made (listeners already bound, timeout sweeps, pools, dtab sources) and owned
   * threads before the exception goes on.
   */
  static RunningProxy start(
      List<RouterConfig> routers,
      Interpreter interpreter,
      Function<RouterConfig, DtabSource> baseDtabs,
      ProxyMetrics metrics,
      LongSupplier nanos,
      IoThreads threads,
      boolean ownThreads,
      boolean openNow,
      Tracing tracing,
      ProxyTls tls) {
    Pools pools = new Pools();
    List<DtabSource> sources = new ArrayList<>();
    List<RouterChain> handlers = new ArrayList<>();
    List<AccessLog> accessLogs = new ArrayList<>();
    List<Undertow> started = new ArrayList<>();
    try {
      if (routers.isEmpty()) {
        throw new IllegalArgumentException("at least one router is needed");
      }
      Mirror mirror = new Mirror(metrics, pools.shadows());
      // Undertow's options are its server's, not a listener's: the http routers share one server, and
      // each h2 router server has its own, with HTTP/2 on and its own SETTINGS.
      Undertow.Builder http = builder(threads);
      int httpListeners = 0;
      List<Undertow.Builder> servers = new ArrayList<>();
      List<Router> built = new ArrayList<>();
      List<GracefulShutdownHandler> drains = new ArrayList<>();
      List<String> listenerRouters = new ArrayList<>();
      List<OpenGate> gates = new ArrayList<>();
      List<Optional<ServerTls>> listenerTls = new ArrayList<>();
      /** Per listener, in server order: the index of its Undertow in {@code servers}, -1 for the http one. */
      List<Integer> listenerServer = new ArrayList<>();
      for (int ri = 0; ri < routers.size(); ri++) {
        RouterConfig rc = routers.get(ri);
        DtabSource source = baseDtabs.apply(rc);
        sources.add(source);
        Router router = new Router(rc, interpreter, source, nanos, tls.client(rc, ri));
        built.add(router);
        metrics.router(
            rc.label(), rc.protocol(), () -> source.current().namespace(), () -> source.current().version());
        AccessLog accessLog = openAccessLog(rc, metrics);
        if (accessLog != null) {
          accessLogs.add(accessLog);
        }
        boolean h2 = rc.h2();
        for (int si = 0; si < rc.servers().size(); si++) {
          ServerConfig sc = rc.servers().get(si);
          Optional<ServerTls> serverTls = tls.server(sc, ri, si);
          Observing observing = new Observing(metrics, rc.label(), sc, accessLog, tracing, Clock.systemDefaultZone());
          RouterChain handler = new RouterChain(router, sc, pools, metrics, mirror, observing);
          handlers.add(handler);
          // A caller that sent "Expect: 100-continue" is told to go on when its body is first read
          // (whether held or streamed), not before: a request refused earlier costs it no upload.
          OpenGate gate =
              new OpenGate(new HttpVersionGate(new HttpContinueReadHandler(handler), h2), rc.label());
          if (openNow) {
            gate.open();
          }
          gates.add(gate);
          GracefulShutdownHandler drain = new GracefulShutdownHandler(gate);
          drains.add(drain);
          if (h2) {
            Undertow.Builder b = H2Server.options(builder(threads), sc.h2());
            b.addListener(ServerListener.of(sc, serverTls, drain));
            servers.add(b);
            listenerServer.add(servers.size() - 1);
          } else {
            http.addListener(ServerListener.of(sc, serverTls, drain));
            httpListeners++;
            listenerServer.add(-1);
          }
          listenerRouters.add(rc.label());
          listenerTls.add(serverTls);
        }
      }
      Undertow httpServer = httpListeners == 0 ? null : http.build();
      List<Undertow> h2Servers = new ArrayList<>();
      for (Undertow.Builder b : servers) {
        h2Servers.add(b.build());
      }
      List<Undertow> all = new ArrayList<>();
      if (httpServer != null) {
        all.add(httpServer);
      }
      all.addAll(h2Servers);
      try {
        for (Undertow u : all) {
          started.add(u);
          u.start();
        }
      } catch (RuntimeException e) {
        // Listeners bound before the failure are let go first, so the search below sees only others' ports.
        started.forEach(ProxyServer::stopQuietly);
        started.clear();
        throw ProxyBindException.find(routers, e)
            .<RuntimeException>map(b -> b)
            .orElseGet(() -> new IllegalStateException("the proxy could not start: " + e.getMessage(), e));
      }
      // Undertow lists listeners in the order they were added, so the http server's i-th is the i-th
      // http listener; each h2 server has one.
      List<Undertow.ListenerInfo> infos = new ArrayList<>();
      int nextHttp = 0;
      for (int server : listenerServer) {
        infos.add(server < 0 ? httpServer.getListenerInfo().get(nextHttp++) : h2Servers.get(server).getListenerInfo().get(0));
      }
      List<RunningProxy.Listener> listeners = new ArrayList<>();
      if (!openNow) {
        // Bound and listening, so the kernel queues connections, but none is accepted until open.
        infos.forEach(Undertow.ListenerInfo::suspend);
      }
      for (int i = 0; i < infos.size(); i++) {
        Undertow.ListenerInfo info = infos.get(i);
        listenerTls.get(i).ifPresent(t -> t.onReload(info::setSslContext));
        if (listenerTls.get(i).isEmpty()) {
          // each plaintext listener's connections go to the IO thread holding the fewest callers
          if (listenerServer.get(i) < 0) {
            H2cRefusal.install(info, listenerRouters.get(i), threads.acceptCounts());
          } else {
            BalancedAccept.install(info, threads.acceptCounts(), UnaryOperator.identity());
          }
        }
        InetSocketAddress a = (InetSocketAddress) infos.get(i).getAddress();
        listeners.add(new RunningProxy.Listener(listenerRouters.get(i), a.getHostString(), a.getPort()));
      }
      return new RunningProxy(
          all, listeners, infos, gates, built, drains, handlers, sources, pools, ownThreads ? threads : null);
    } catch (RuntimeException e) {
      started.forEach(ProxyServer::stopQuietly);
      handlers.forEach(RouterChain::close);
      // a log opened for a router whose servers were never all built has no chain to close it
      accessLogs.forEach(AccessLog::close);
      pools.close();
      sources.forEach(DtabSource::close);
      if (ownThreads) {
        threads.close();
      }
      throw e;
    }
  }

  /** An Undertow server on {@code threads} with the options every router server has. */
  private static Undertow.Builder builder(IoThreads threads) {
    return threads
        .serverBuilder()
        .setSocketOption(Options.TCP_NODELAY, true)
        .setServerOption(Options.TCP_NODELAY, true)
        .setServerOption(Options.BACKLOG, 1024)
        // A proxy streams bodies of any size; Undertow's 2 MiB default is for servers that buffer.
        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
        // each exchange's start, for its router server's latency (Observing)
        .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, true)
        // Undertow's own limit is 1 MiB of headers; no real caller needs more than a few KiB
        .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
        // a caller that dribbles its request head is cut off, not held open for ever
        .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) PARSE_TIMEOUT.toMillis());
  }

  /**
   * The router's access log, opened now so a file that cannot be written stops the start; its dropped
   * lines are the meter {@code turnout_access_log_dropped{router}}. Null when the router keeps none.
   */
  private static AccessLog openAccessLog(RouterConfig rc, ProxyMetrics metrics) {
    if (rc.accessLog().isEmpty()) {
      return null;
    }
    AccessLogConfig c = rc.accessLog().get();
    AccessLog log;
    try {
      log = AccessLog.open(c.path(), c.rollPolicy(), c.append(), c.rotateCount(), Clock.systemDefaultZone());
    } catch (IOException e) {
      throw new IllegalStateException(
          "router " + rc.label() + ": httpAccessLog: cannot write " + c.path() + ": " + e, e);
    }
    FunctionCounter.builder("turnout_access_log_dropped", log, AccessLog::dropped)
        .description("Access log lines dropped because the writer's queue was full")
        .tags("router", rc.label())
        .register(metrics.registry());
    return log;
  }

  /** Listeners bound before a failure stay open on a worker Undertow did not make: stop them. */
  private static void stopQuietly(Undertow undertow) {
    try {
      undertow.stop();
    } catch (RuntimeException ignored) {
      // nothing more to release there
    }
  }
}
