package dev.turnout.app;

import dev.turnout.config.NamerConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.tracing.Tracing;
import dev.turnout.naming.ControlPlaneNamer;
import dev.turnout.naming.FsNamer;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.Namer;
import dev.turnout.proxy.IoThreads;
import dev.turnout.proxy.ProxyServer;
import dev.turnout.proxy.ProxyTls;
import dev.turnout.proxy.RunningProxy;
import dev.turnout.routing.DtabSource;
import dev.turnout.routing.DtabSources;
import dev.turnout.routing.NamerdHttpDtabSource;
import dev.turnout.routing.RoutingSnapshot;
import dev.turnout.store.DtabStore;
import dev.turnout.tls.ClientTls;
import dev.turnout.web.fleet.FleetReport;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routers' half of a Turnout process, the same in a control plane and in {@code turnout proxy}:
 * the namers, each router's dtab source, the warm-up and the proxy's listeners. It also says, for a
 * fleet report, what each router routes by and which control plane it follows.
 */
final class DataPlane {
  private static final Logger log = LoggerFactory.getLogger(DataPlane.class);

  /** The login a proxy sends to control planes that want one (a viewer is enough: it only reads). */
  static final String CONTROL_PLANE_USER_ENV = "TURNOUT_CONTROL_PLANE_USER";
  static final String CONTROL_PLANE_PASSWORD_ENV = "TURNOUT_CONTROL_PLANE_PASSWORD";

  private final Interpreter interpreter;
  private final Map<String, DtabSource> sources = new ConcurrentHashMap<>();
  /** Per router label, the TLS its io.l5d.namerd.http interpreter reaches control planes with. */
  private final Map<String, ClientTls> controlPlaneTls;
  private final Clock clock;
  /** The routers' certificates, read (and watched) at start-up before anything else. */
  private final ProxyTls routerTls;

  private DataPlane(Interpreter interpreter, Map<String, ClientTls> controlPlaneTls, Clock clock, ProxyTls routerTls) {
    this.interpreter = interpreter;
    this.routerTls = routerTls;
    this.controlPlaneTls = Map.copyOf(controlPlaneTls);
    this.clock = clock;
  }

  /**
   * Starts the config's namers; they close with {@code resources}. Each following router's
   * interpreter {@code tls} comes from {@code routerTls} (read at start-up: a bad file stopped it,
   * naming the file).
   */
  static DataPlane namers(TurnoutConfig config, Resources resources, Clock clock, ProxyTls routerTls) {
    Map<String, ClientTls> tls = new java.util.HashMap<>();
    for (int i = 0; i < config.routers().size(); i++) {
      RouterConfig r = config.routers().get(i);
      routerTls.controlPlane(r, i).ifPresent(t -> tls.put(r.label(), t));
    }
    List<Interpreter.Mount> mounts = new ArrayList<>();
    for (NamerConfig n : config.namers()) {
      Namer namer = start(n, resources);
      mounts.add(new Interpreter.Mount(n.prefix(), namer));
    }
    // Names under /# that no namer here knows are the control plane's to bind, as Linkerd's
    // io.l5d.namerd.http leaves every name to namerd (the first following router's namespace).
    for (RouterConfig r : config.routers()) {
      if (r.interpreter().followsRemote()) {
        ControlPlaneNamer remote =
            new ControlPlaneNamer(
                r.interpreter().controlPlanes().stream().map(cp -> cp.authority()).toList(),
                r.interpreter().namespace(),
                controlPlaneLogin(),
                Optional.ofNullable(tls.get(r.label())));
        resources.add(remote);
        mounts.add(new Interpreter.Mount(ControlPlaneNamer.PREFIX, remote));
        break;
      }
    }
    return new DataPlane(new Interpreter(mounts), tls, clock, routerTls);
  }

  /** Starts the namer {@code config} describes; it closes with {@code resources}. */
  private static Namer start(NamerConfig config, Resources resources) {
    if (config instanceof NamerConfig.Fs fs) {
      FsNamer namer = new FsNamer(fs.rootDir(), fs.prefix(), FsNamer.DEFAULT_POLL);
      resources.add(namer);
      return namer;
    }
    if (config instanceof NamerConfig.DnsSrv dns) {
      var namer =
          new dev.turnout.naming.dnssrv.DnsSrvNamer(
              dns.prefix(), dns.dnsHosts(), dns.refreshInterval(),
              dev.turnout.naming.dnssrv.DnsSrvNamer.DEFAULT_QUERY_TIMEOUT, Clock.systemUTC());
      resources.add(namer);
      return namer;
    }
    if (config instanceof NamerConfig.Consul consul) {
      var namer = ConsulConfigs.start(consul);
      resources.add(namer);
      return namer;
    }
    if (config instanceof NamerConfig.Serversets zk) {
      var namer =
          new dev.turnout.naming.serversets.ServersetNamer(
              zk.connectString(), zk.prefix(),
              dev.turnout.naming.serversets.ServersetNamer.DEFAULT_SESSION_TIMEOUT, java.time.Clock.systemUTC());
      resources.add(namer);
      return namer;
    }
    if (config instanceof NamerConfig.K8s k8s) {
      dev.turnout.naming.k8s.K8sNamer namer = dev.turnout.naming.k8s.K8sNamer.start(k8s, Clock.systemUTC());
      resources.add(namer);
      return namer;
    }
    throw new IllegalStateException("no way to start a namer of kind " + config.kind());
  }

  Interpreter interpreter() {
    return interpreter;
  }

  /**
   * Binds every router's listeners (a port that is taken fails here, at once), warms the first router
   * up (at most {@code warmup}) while connections wait in the kernel's queue, then opens each router
   * as soon as its dtab source is {@linkplain DtabSource#ready() ready}: at once for a fixed dtab or
   * the store, at the first answer from a control plane for a follower. Prints one line per listener
   * when bound, and one per router that has to wait, and when it opens.
   */
  RunningProxy open(
      List<RouterConfig> routers,
      Function<RouterConfig, DtabSource> sourceFor,
      ProxyMetrics metrics,
      Tracing tracing,
      Duration warmup,
      PrintStream out,
      Resources resources) {
    // Last before the proxy opens: classes loaded after the warm-up would throw out code compiled on
    // the assumption that they did not exist. The proxy then opens on the threads the warm-up ran on.
    IoThreads threads = IoThreads.start();
    resources.add(threads); // closed by the proxy once it is bound; this covers a start that fails first
    RunningProxy proxy =
        ProxyServer.bind(
            routers,
            interpreter,
            r -> {
              DtabSource s = sourceFor.apply(r);
              sources.put(r.label(), s);
              return s;
            },
            metrics,
            threads,
            tracing,
            routerTls);
    resources.add(() -> proxy.close(TurnoutServer.DRAIN));
    for (RunningProxy.Listener l : proxy.listeners()) {
      out.println("turnout: proxy listening on " + l.host() + ":" + l.port());
    }
    warmUp(routers, warmup, out, threads);
    for (RouterConfig r : routers) {
      DtabSource source = sources.get(r.label());
      if (!source.ready().toCompletableFuture().isDone()) {
        out.println("turnout: router " + r.label() + " waits for its first dtab from "
            + describe(r) + " before it takes requests");
      }
      // Whatever goes wrong here is said: a router that never opens would otherwise only show as /health 503.
      source.ready().whenComplete((ready, failed) -> {
        try {
          if (failed != null) {
            throw failed instanceof RuntimeException re ? re : new IllegalStateException(failed);
          }
          proxy.open(r.label());
          if (source instanceof NamerdHttpDtabSource remote) {
            NamerdHttpDtabSource.Status st = remote.status();
            out.println("turnout: router " + r.label() + " open: namespace " + st.namespace() + " version "
                + st.version() + " from " + st.following().orElse("a control plane"));
          }
        } catch (RuntimeException e) {
          log.error("router {} could not open", r.label(), e);
          out.println("turnout: router " + r.label() + " could not open: " + TurnoutServer.describe(e));
        }
      });
    }
    return proxy;
  }

  /** The control planes router {@code r} follows, as its config names them. */
  private static String describe(RouterConfig r) {
    List<String> names = new ArrayList<>();
    r.interpreter().controlPlanes().forEach(cp -> names.add(cp.authority()));
    return names.isEmpty() ? "its source" : String.join(" or ", names);
  }

  private static void warmUp(List<RouterConfig> routers, Duration warmup, PrintStream out, IoThreads threads) {
    if (!warmup.isZero()) {
      try {
        out.println("turnout: warming up the proxy on loopback (at most " + warmup.toSeconds() + " s; --warmup 0 skips)");
        Warmup.Result r = Warmup.run(routers.get(0), routers, warmup, threads);
        out.printf(
            Locale.ROOT,
            "turnout: warm-up done: %d requests (%d answered 200, %d connections broken) in %d rounds, %.1f s%s%n",
            r.requests(), r.ok(), r.broken(), r.rounds(), r.took().toMillis() / 1000.0,
            r.serverHandshakes() + r.clientHandshakes() == 0 ? ""
                : "; TLS handshakes: " + r.serverHandshakes() + " served, " + r.clientHandshakes() + " to the backend");
      } catch (RuntimeException e) {
        // Only a speed-up: never a reason not to serve.
        log.warn("warm-up failed", e);
        out.println("turnout: warm-up failed (" + TurnoutServer.describe(e) + "); opening the proxy without it");
      }
    }
    // Start-up's garbage (the warm-up's above all) goes now: real traffic starts from a small heap.
    HeapPolicy.settle();
  }

  /**
   * Each router's dtab source, from {@code store} (empty in a proxy-only process) or its control
   * planes, with the login from the environment if any.
   */
  DtabSources sources(Optional<DtabStore> store) {
    return DtabSources.following(
        store, controlPlaneLogin(), clock, r -> Optional.ofNullable(controlPlaneTls.get(r.label())));
  }

  /** The {@code Authorization} header for control planes, from the environment; empty without a user. */
  static Optional<String> controlPlaneLogin() {
    String user = System.getenv(CONTROL_PLANE_USER_ENV);
    String password = System.getenv(CONTROL_PLANE_PASSWORD_ENV);
    if (user == null || user.isEmpty()) {
      return Optional.empty();
    }
    String pair = user + ":" + (password == null ? "" : password);
    return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
  }

  /** What each router routes by, for a fleet report. */
  List<FleetReport.RouterReport> routerReports(List<RouterConfig> routers) {
    List<FleetReport.RouterReport> out = new ArrayList<>();
    long now = clock.millis();
    for (RouterConfig r : routers) {
      DtabSource s = sources.get(r.label());
      if (s == null) {
        continue; // not open yet
      }
      RoutingSnapshot snap = s.current();
      if (s instanceof NamerdHttpDtabSource remote) {
        NamerdHttpDtabSource.Status st = remote.status();
        out.add(new FleetReport.RouterReport(r.label(), st.namespace(), st.version(), st.following().orElse(null),
            st.lastHeard().map(java.time.Instant::toEpochMilli).orElse(0L), st.problem().orElse(null)));
      } else if (r.interpreter().usesStore()) {
        out.add(new FleetReport.RouterReport(r.label(), snap.namespace().orElse(null), snap.version(), "store", now, null));
      } else {
        out.add(new FleetReport.RouterReport(r.label(), null, 0, null, now, null));
      }
    }
    return out;
  }

  /** The control planes the routers follow now, each once, with the TLS they are reached over. */
  Map<String, Optional<ClientTls>> followed() {
    Map<String, Optional<ClientTls>> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, DtabSource> e : sources.entrySet()) {
      if (e.getValue() instanceof NamerdHttpDtabSource remote) {
        remote.status().following().ifPresent(cp -> out.putIfAbsent(cp, Optional.ofNullable(controlPlaneTls.get(e.getKey()))));
      }
    }
    return out;
  }
}
