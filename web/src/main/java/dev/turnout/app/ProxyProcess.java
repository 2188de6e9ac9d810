package dev.turnout.app;

import dev.turnout.config.AdminConfig;
import dev.turnout.config.ConfigException;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.tracing.Tracing;
import dev.turnout.proxy.RunningProxy;
import dev.turnout.web.api.FleetApi;
import dev.turnout.web.fleet.FleetReport;
import dev.turnout.web.fleet.FleetReporter;
import dev.turnout.proxy.ProxyTls;
import dev.turnout.tls.ServerTls;
import dev.turnout.tls.TlsReloader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import dev.turnout.tls.ClientTls;

/**
 * {@code turnout proxy}: the routers alone, as Linkerd runs on every host of a fleet, and an admin port
 * with {@code /health}, {@code /metrics}, {@code /admin/metrics.json} and the config's {@code
 * io.l5d.prometheus} path. No store, no dashboard, no
 * data directory: a router routes by its own {@code dtab:} or follows a control plane ({@code
 * io.l5d.namerd.http}), and the process reports itself every second to the control planes its routers
 * follow, which show it in their fleet view.
 */
final class ProxyProcess implements AutoCloseable {
  private final Resources resources = new Resources();
  private volatile RunningProxy proxy;
  private ProxyAdmin admin;
  private final Object httpLock = new Object();
  /**
   * Made at the first report there is a control plane to send to: building the JDK's client loads its
   * TLS stack (some 500 classes, 3-4 MB of metaspace and heap) and starts its selector thread, which a
   * proxy routing by its own dtab never needs.
   */
  private final Map<Optional<ClientTls>, HttpClient> http = new java.util.HashMap<>(); // guarded by httpLock

  private final TlsReloader reloader;

  private ProxyProcess(TlsReloader reloader) {
    this.reloader = reloader;
  }

  /** Starts the process, printing one line per bound port to {@code out}. */
  static ProxyProcess start(TurnoutServer.Options options, PrintStream out) {
    return start(options, out, TlsReloader.system());
  }

  /** As above, with certificate files checked for changes by {@code reloader}. */
  static ProxyProcess start(TurnoutServer.Options options, PrintStream out, TlsReloader reloader) {
    TurnoutConfig config = TurnoutServer.configure(options);
    TurnoutServer.printWarnings(config, options, false, out);
    checkProxyOnly(config);
    TurnoutServer.checkPorts(config);
    if (config.storage().jdbcUrl().isPresent() || !config.storage().seeds().isEmpty()) {
      out.println("turnout: warning: storage: 'turnout proxy' has no store; the storage block is ignored");
    }
    ProxyProcess p = new ProxyProcess(reloader);
    try {
      p.startAll(config, options.warmup(), out);
    } catch (RuntimeException e) {
      p.close();
      throw e instanceof TurnoutServer.StartupException ? e : new TurnoutServer.StartupException(TurnoutServer.describe(e), e);
    }
    return p;
  }

  /** A proxy-only process has no store: a router that would read one is an error before anything starts. */
  static void checkProxyOnly(TurnoutConfig config) {
    for (int i = 0; i < config.routers().size(); i++) {
      RouterConfig r = config.routers().get(i);
      if (r.interpreter().usesStore()) {
        throw new ConfigException(
            "routers[" + i + "].interpreter: 'turnout proxy' has no store of its own; follow a control plane"
                + " with {kind: io.l5d.namerd.http, dst: /$/inet/HOST/PORT, namespace: "
                + r.interpreter().namespace() + "}");
      }
    }
  }

  private void startAll(TurnoutConfig config, Duration warmup, PrintStream out) {
    // Certificates first: a bad file stops start-up before any port is bound.
    Optional<ServerTls> adminTls = AdminTls.load(config.admin(), reloader);
    ProxyTls routerTls = ProxyTls.load(config.routers(), reloader);
    resources.add(reloader.start());
    Clock clock = Clock.systemUTC();
    DataPlane dataPlane = DataPlane.namers(config, resources, clock, routerTls);
    ProxyMetrics metrics = new ProxyMetrics();
    metrics.start();
    resources.add(metrics);
    Tracing tracing = Tracing.start(config.tracing());
    resources.add(tracing);

    AdminConfig adminConfig = config.admin();
    admin =
        ProxyAdmin.start(
            adminConfig.ip(),
            adminConfig.port(),
            metrics,
            config.telemetry(),
            () -> proxy != null && proxy.allOpen(),
            adminTls,
            () -> AdminTls.problems(reloader));
    resources.add(admin);
    out.println("turnout: admin listening on " + adminConfig.ip() + ":" + admin.port());

    proxy =
        dataPlane.open(
            config.routers(),
            dataPlane.sources(Optional.empty()),
            metrics,
            tracing,
            warmup,
            out,
            resources);

    FleetReporter reporter =
        new FleetReporter(
            TurnoutServer.instanceName(adminConfig.ip(), admin.port()),
            FleetReport.PROXY,
            TurnoutServer.hostPort(adminConfig.ip(), admin.port()),
            () -> dataPlane.routerReports(config.routers()),
            metrics.view(),
            report -> send(dataPlane.followed(), report),
            clock,
            Duration.ofSeconds(1));
    resources.add(reporter);
  }

  /**
   * Posts {@code report} to each control plane followed now, over the TLS its router follows it with;
   * one that refuses it fails the round.
   */
  private void send(Map<String, Optional<ClientTls>> controlPlanes, FleetReport report) {
    if (controlPlanes.isEmpty()) {
      return;
    }
    String body = report.toJson();
    for (Map.Entry<String, Optional<ClientTls>> target : controlPlanes.entrySet()) {
      String cp = target.getKey();
      HttpClient http = http(target.getValue());
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(ClientTls.scheme(target.getValue()) + "://" + cp + FleetApi.REPORTS))
              .timeout(Duration.ofSeconds(2))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      DataPlane.controlPlaneLogin().ifPresent(a -> b.header("Authorization", a));
      try {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 204) {
          throw new IllegalStateException(cp + " answered " + r.statusCode() + ": " + r.body().strip());
        }
      } catch (java.io.IOException e) {
        throw new IllegalStateException(cp + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** One client per TLS setting (plain HTTP is the empty one), made at its first report. */
  private HttpClient http(Optional<ClientTls> tls) {
    synchronized (httpLock) {
      return http.computeIfAbsent(tls, t -> {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1));
        return t.map(c -> c.applyTo(b)).orElse(b).build();
      });
    }
  }

  List<RunningProxy.Listener> proxyListeners() {
    return proxy.listeners();
  }

  int adminPort() {
    return admin.port();
  }

  @Override
  public void close() {
    resources.close();
  }
}
