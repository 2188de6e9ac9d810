package dev.turnout.app;

import dev.turnout.config.AdminConfig;
import dev.turnout.config.ConfigLoader;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.StorageConfig;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.tracing.Tracing;
import dev.turnout.naming.Interpreter;
import dev.turnout.proxy.ProxyBindException;
import dev.turnout.proxy.RunningProxy;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.JdbcUserStore;
import dev.turnout.web.Dashboard;
import dev.turnout.web.DashboardServices;
import dev.turnout.web.SecurityHeaders;
import dev.turnout.proxy.ProxyTls;
import dev.turnout.tls.ServerTls;
import dev.turnout.tls.TlsReloader;
import dev.turnout.web.api.DtabApi;
import dev.turnout.web.api.DtabWatches;
import dev.turnout.dtab.Dtab;
import dev.turnout.store.DtabVersion;
import dev.turnout.web.api.FleetApi;
import dev.turnout.web.api.RolloutApi;
import dev.turnout.web.rollout.Convergence;
import dev.turnout.web.rollout.Destinations;
import dev.turnout.web.rollout.Figures;
import dev.turnout.web.rollout.RolloutDriver;
import dev.turnout.web.api.NamingRoutes;
import dev.turnout.web.fleet.Fleet;
import dev.turnout.web.fleet.FleetReport;
import dev.turnout.web.fleet.FleetReporter;
import dev.turnout.web.fleet.FleetTraffic;
import dev.turnout.web.routing.InterpreterPreview;
import dev.turnout.web.metrics.MetricsRoutes;
import io.javalin.Javalin;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One running Turnout: the store, the namers, the routers' proxy servers and the admin server, built
 * from a config and the command-line flags, and closed in reverse order. Flags win over the config:
 * {@code --proxy-port} moves the first router's first server, {@code --admin-port} the admin server.
 */
public final class TurnoutServer implements AutoCloseable {
  /**
   * What the command line asked for; null fields mean "as the config says". {@code warmup} is how long
   * the proxy may run loopback traffic through its own request path before its ports open (zero: not
   * at all; see {@link Warmup}).
   */
  public record Options(
      Path config,
      Path data,
      Integer proxyPort,
      Integer adminPort,
      boolean demo,
      Duration warmup,
      String store,
      boolean skipUnimplemented) {

    public Options(
        Path config, Path data, Integer proxyPort, Integer adminPort, boolean demo, Duration warmup, String store) {
      this(config, data, proxyPort, adminPort, demo, warmup, store, false);
    }

    public Options(Path config, Path data, Integer proxyPort, Integer adminPort, boolean demo, Duration warmup) {
      this(config, data, proxyPort, adminPort, demo, warmup, null);
    }

    /** Without a warm-up, as tests and embedders usually want. */
    public Options(Path config, Path data, Integer proxyPort, Integer adminPort, boolean demo) {
      this(config, data, proxyPort, adminPort, demo, Duration.ZERO);
    }
  }

  /** Turnout could not start; the message says why, for the operator. */
  public static final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Where the PostgreSQL password comes from when the config has none. */
  public static final String STORE_PASSWORD_ENV = "TURNOUT_STORE_PASSWORD";

  /** How long SIGTERM waits for in-flight requests. */
  static final Duration DRAIN = Duration.ofSeconds(10);

  private final Resources resources = new Resources();
  private final TlsReloader reloader;
  private final boolean demoWanted;
  private final Duration warmup;
  private TurnoutConfig config;
  private JdbcDtabStore store;
  /** Null until the proxy opens (the admin server answers during the warm-up). */
  private volatile RunningProxy proxy;
  private Javalin admin;

  private TurnoutServer(TurnoutConfig config, boolean demo, Duration warmup, TlsReloader reloader) {
    this.config = config;
    this.reloader = reloader;
    this.demoWanted = demo;
    this.warmup = warmup;
  }

  /** Starts everything, printing one line per bound port to {@code out}. */
  public static TurnoutServer start(Options options, PrintStream out) {
    return start(options, out, TlsReloader.system());
  }

  /** As above, with certificate files checked for changes by {@code reloader} (a test's, on its own ticker). */
  static TurnoutServer start(Options options, PrintStream out, TlsReloader reloader) {
    TurnoutConfig config = configure(options);
    printWarnings(config, options, true, out);
    checkPorts(config);
    TurnoutServer server = new TurnoutServer(config, options.demo(), options.warmup(), reloader);
    try {
      server.startAll(out);
    } catch (RuntimeException e) {
      server.close();
      throw e instanceof StartupException ? e : new StartupException(describe(e), e);
    }
    return server;
  }

  /**
   * Prints the config's warnings, then stops start-up on anything it asks for that Turnout does not
   * implement (see {@link TurnoutConfig#refuseUnimplemented}), or says once what {@code
   * --skip-unimplemented} left out.
   */
  static void printWarnings(TurnoutConfig config, Options options, boolean hasStore, PrintStream out) {
    for (String warning : config.warnings()) {
      out.println("turnout: warning: " + warning);
    }
    for (String left : config.refuseUnimplemented(options.skipUnimplemented(), hasStore)) {
      out.println("turnout: --skip-unimplemented: starting without " + left);
    }
  }

  /**
   * Stops start-up at once when a port this process will serve is taken: the admin port, then every
   * router's (the store, the password hashing and the warm-up would otherwise come first).
   */
  static void checkPorts(TurnoutConfig config) {
    AdminConfig a = config.admin();
    java.util.Optional<String> why = ProxyBindException.bindFails(a.ip(), a.port());
    if (why.isPresent()) {
      throw new StartupException(adminTaken(a.ip(), a.port(), why.get()), null);
    }
    try {
      ProxyBindException.check(config.routers());
    } catch (ProxyBindException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  static String adminTaken(String ip, int port, String why) {
    return "cannot listen on " + ip + ":" + port + " for the admin server (set by admin.port in the config, or"
        + " --admin-port): " + why;
  }

  static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  static TurnoutConfig configure(Options options) {
    Path data = options.data() == null ? Path.of("data") : options.data();
    TurnoutConfig base =
        options.config() == null ? ConfigLoader.defaults(data) : ConfigLoader.load(options.config(), data);
    List<RouterConfig> routers = new ArrayList<>(base.routers());
    if (options.proxyPort() != null && !routers.isEmpty()) {
      routers.set(0, routers.get(0).withFirstServerPort(options.proxyPort()));
    }
    AdminConfig admin = base.admin();
    if (options.adminPort() != null) {
      admin = admin.withPort(options.adminPort());
    }
    StorageConfig storage = base.storage();
    if (options.store() != null) {
      if (!options.store().startsWith("jdbc:postgresql://") && !options.store().startsWith("jdbc:h2:")) {
        throw new dev.turnout.config.ConfigException(
            "--store: must be jdbc:postgresql://HOST:PORT/DATABASE (or an H2 URL), not " + options.store());
      }
      storage = storage.withJdbcUrl(options.store());
    }
    return new TurnoutConfig(
        admin, base.namers(), routers, storage, base.telemetry(), base.tracing(), base.warnings(), base.unimplemented());
  }

  private void startAll(PrintStream out) {
    // Certificates first: a bad file stops start-up before the store is opened or a port bound.
    Optional<ServerTls> adminTls = AdminTls.load(config.admin(), reloader);
    ProxyTls routerTls = ProxyTls.load(config.routers(), reloader);
    resources.add(reloader.start());
    StorageConfig storage = config.storage();
    String url = storage.jdbcUrl().orElseGet(() -> JdbcDtabStore.fileUrl(storage.dataDir()));
    store =
        JdbcDtabStore.builder(url)
            .user(storage.user().orElse(null))
            .password(storage.passwordOr(System.getenv(STORE_PASSWORD_ENV)).orElse(null))
            .open();
    resources.add(store);
    store.seed(storage.seeds());
    JdbcUserStore users = store.userStore();
    String envPassword = System.getenv(JdbcUserStore.ADMIN_PASSWORD_ENV);
    if (!isLoopback(config.admin().ip())
        && !users.hasAnyPassword()
        && (envPassword == null || envPassword.isEmpty())) {
      throw new StartupException(
          "refusing to serve the admin port on "
              + config.admin().ip()
              + " with no password set: set "
              + JdbcUserStore.ADMIN_PASSWORD_ENV
              + " or add a user with 'turnout user add'",
          null);
    }
    users.ensureAdmin(envPassword, out);

    Demo demo = null;
    if (demoWanted) {
      demo = Demo.startBackends(storage.dataDir());
      resources.add(demo);
      config = demo.configure(config);
      store.seed(Map.of(Demo.NAMESPACE, Demo.DTAB));
    }

    Clock clock = Clock.systemUTC();
    DataPlane dataPlane = DataPlane.namers(config, resources, clock, routerTls);
    Interpreter interpreter = dataPlane.interpreter();
    TransformersFollowing transformersFollowing = new TransformersFollowing(config.routers(), interpreter);

    ProxyMetrics metrics = new ProxyMetrics();
    metrics.start();
    resources.add(metrics);
    Tracing tracing = Tracing.start(config.tracing());
    resources.add(tracing);
    AdminConfig adminConfig = config.admin();
    List<AutoCloseable> adminParts = new ArrayList<>();
    AtomicReference<Fleet> fleetRef = new AtomicReference<>();
    // The admin port may be picked at start (port 0): the names are settled once it is bound.
    AtomicReference<String> selfAdmin = new AtomicReference<>("");
    AtomicReference<String> selfInstance = new AtomicReference<>("");
    admin =
        Javalin.create(
            c -> {
              c.startup.showJavalinBanner = false;
              c.jetty.host = adminConfig.ip();
              c.jetty.port = adminConfig.port();
              c.jetty.threadPool = adminThreads();
              AdminJetty.configure(c, adminConfig, adminTls);
              SecurityHeaders.register(c);
              // Errors Jetty answers itself (a URI too long, a malformed one) come as plain text like
              // the API's own, not as an HTML page, and never with a stack trace.
              c.jetty.modifyServer(server -> server.setErrorHandler(plainErrors()));
              c.routes.get("/health", ctx -> {
                boolean ok = isServing();
                // A store that stopped answering does not make this process unhealthy: it goes on
                // serving routes and reads from the last versions seen, and a restart could not open
                // the store either; the body says so for whoever looks.
                String body = !ok ? "not serving\n" : store.reachable() ? "ok\n"
                    : "ok, but the store's database is not answering: routes and reads come from the last"
                        + " versions seen, writes are refused\n";
                ctx.status(ok ? 200 : 503).result(body + AdminTls.problems(reloader));
              });
              DtabWatches watches = DtabApi.register(c, store, users);
              out.println("turnout: " + watches.limits().describe());
              NamingRoutes.register(
                  c,
                  ns -> store.current(ns).map(DtabVersion::dtab),
                  transformersFollowing::get,
                  interpreter,
                  users,
                  watches);
              MetricsRoutes.register(c, metrics, users, config.telemetry());
              Fleet fleet = new Fleet(store.fleet(), store, clock, selfAdmin::get);
              fleetRef.set(fleet);
              FleetApi.register(c, fleet, users);
              FleetTraffic fleetTraffic = new FleetTraffic(metrics.view(), selfInstance::get, fleet::state);
              InterpreterPreview preview =
                  new InterpreterPreview(interpreter, this::routerDtabFollowing, transformersFollowing::get);
              // The canary and the stable are resolved as the preview delegates, to the ids the figures name.
              RolloutDriver rollouts = new RolloutDriver(store, store.rollouts(), Figures.of(fleetTraffic::members),
                  Destinations.of(preview), Convergence.of(fleet::state), clock, selfInstance::get);
              RolloutApi.register(c, rollouts, users);
              adminParts.add(rollouts.startTicking(Duration.ofSeconds(1)));
              adminParts.add(
                  Dashboard.register(
                      c,
                      new DashboardServices(
                          store,
                          users,
                          fleetTraffic,
                          preview,
                          clock,
                          Optional.of(fleet),
                          tracing.recent(),
                          Optional.of(rollouts))));
            });
    resources.addAll(adminParts);
    try {
      admin.start(adminConfig.ip(), adminConfig.port());
    } catch (RuntimeException e) {
      throw new StartupException(adminTaken(adminConfig.ip(), adminConfig.port(), describe(e)), e);
    }
    resources.add(admin::stop);
    out.println("turnout: admin listening on " + adminConfig.ip() + ":" + admin.port());
    selfAdmin.set(hostPort(adminConfig.ip(), admin.port()));
    selfInstance.set(instanceName(adminConfig.ip(), admin.port()));

    proxy =
        dataPlane.open(
            config.routers(),
            dataPlane.sources(Optional.of(store)),
            metrics,
            tracing,
            warmup,
            out,
            resources);
    FleetReporter reporter =
        new FleetReporter(
            selfInstance.get(),
            FleetReport.CONTROL_PLANE,
            selfAdmin.get(),
            () -> dataPlane.routerReports(config.routers()),
            metrics.view(),
            fleetRef.get()::accept,
            clock,
            Duration.ofSeconds(1));
    resources.add(reporter);

    if (demo != null) {
      RunningProxy.Listener first = proxy.listeners().get(0);
      demo.startTraffic(first.host(), first.port(), out);
    }
  }

  /**
   * Jetty's own error answers (URI too long, malformed URI) as plain text, without stack traces,
   * whatever the client accepts: Jetty would answer {@code Accept: *}{@code /*} (curl's) with HTML.
   */
  private static ErrorHandler plainErrors() {
    ErrorHandler errors =
        new ErrorHandler() {
          @Override
          protected boolean generateAcceptableResponse(
              org.eclipse.jetty.server.Request request,
              org.eclipse.jetty.server.Response response,
              org.eclipse.jetty.util.Callback callback,
              String contentType,
              java.util.List<java.nio.charset.Charset> charsets,
              int code,
              String message,
              Throwable cause)
              throws java.io.IOException {
            return super.generateAcceptableResponse(
                request, response, callback, "text/plain", charsets, code, message, cause);
          }
        };
    errors.setShowStacks(false);
    return errors;
  }

  /**
   * The admin server's threads. Javalin's default pool keeps 8 threads alive for up to 250; the admin
   * port serves one operator's dashboard and the odd API call, while the proxy runs on its own IO
   * threads. Each idle thread still holds a stack and a malloc arena, so the pool keeps 2 alive and
   * grows to 16 under a burst (Jetty's acceptor and selector take 2 of them). Watch streams hold no
   * thread: they are written without blocking from one thread of their own (see DtabWatches).
   */
  private static QueuedThreadPool adminThreads() {
    QueuedThreadPool pool = new QueuedThreadPool(16, 2, 60_000);
    pool.setName("turnout-admin");
    return pool;
  }

  /**
   * The dtab a router following {@code namespace} puts after the namespace's own (its {@code dtab:}
   * key), so a preview binds exactly as that router will; empty when no router follows it.
   */
  private Dtab routerDtabFollowing(String namespace) {
    for (RouterConfig r : config.routers()) {
      if (r.interpreter().usesStore() && namespace.equals(r.interpreter().namespace())) {
        return Dtab.read(r.dtab());
      }
    }
    return Dtab.EMPTY;
  }

  /** A process's name in the fleet: its host name and admin port, stable across restarts. */
  static String instanceName(String adminIp, int adminPort) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = adminIp;
    }
    return host + ":" + adminPort;
  }

  static String hostPort(String ip, int port) {
    return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
  }

  /** Every router takes requests (not while the proxy is still warming up). */
  private boolean isServing() {
    RunningProxy open = proxy;
    return open != null && open.allOpen();
  }

  /** The proxy's listeners, as bound. */
  public List<RunningProxy.Listener> proxyListeners() {
    return proxy.listeners();
  }

  public int adminPort() {
    return admin.port();
  }

  static boolean isLoopback(String ip) {
    try {
      return InetAddress.getByName(ip).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Stops accepting, lets in-flight requests finish (bounded), then closes the store. */
  @Override
  public void close() {
    resources.close();
  }
}
