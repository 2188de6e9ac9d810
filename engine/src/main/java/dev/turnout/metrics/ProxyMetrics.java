package dev.turnout.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * All of the proxy's traffic figures, per router, service name, bound client and endpoint, plus the
 * mirrored (shadow) traffic kept apart. The proxy writes to {@link TrafficStats} nodes found here once
 * per request; readers get them three ways: {@link #view()} for the dashboard, {@link #registry()}
 * (Micrometer's Prometheus registry, whose meters read the same nodes) for {@code /metrics}, and {@link
 * #flat()} for {@code /admin/metrics.json} in Linkerd's flat naming.
 *
 * <p>Time comes from an injected nano clock (windows) and wall clock (history stamps). {@link #start()}
 * ticks every second on a daemon thread (latency percentiles over the last 10 seconds, a history sample
 * every 10 seconds); tests call {@link #tick()} instead.
 *
 * <p>Why one class of this size: the tree of nodes (routers, their services, clients, endpoints,
 * servers and shadows) and the caps on how far it may grow are private to it, and everything here is a
 * walk of that tree: the finders the proxy calls per request, the tick, and the three readings. Split,
 * each reading would need the tree's node types and the caps made visible. What stands apart already
 * does: one node's figures ({@link TrafficStats}), the flat names of one node ({@link FlatStats}), the
 * Prometheus naming ({@link LinkerdPrometheus}), the dashboard's shape ({@link TrafficView}).
 */
public final class ProxyMetrics implements AutoCloseable {
  /**
   * Service names tracked per router; further names (say, random Host headers) are counted together
   * under {@link #OTHER}, so callers cannot make the metrics grow without bound. The same cap holds
   * for bound clients per router and per service, and for endpoints per client: an {@code l5d-dtab}
   * override can name any {@code /$/inet} address.
   */
  public static final int MAX_SERVICES = 1000;

  /**
   * Longer names (a 100 KB Host header makes a 100 KB service name) are counted under {@link #OTHER}
   * too: every name is a label on a dozen series that every scrape carries.
   */
  public static final int MAX_NAME_LENGTH = 256;

  public static final String OTHER = "/other";

  /** How each scope's help texts name what it counts. */
  private static final Map<String, String> WHAT =
      Map.of(
          "service", "to a service name",
          "shadow_service", "mirrored from a service name (shadow traffic, apart from real requests)",
          "service_client", "from a service name to one bound client",
          "client", "to a bound client, over all service names",
          "endpoint", "to one endpoint (host:port) of a bound client");

  private final LongSupplier nanos;
  private final Clock clock;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, RouterNode> routers = new ConcurrentHashMap<>();
  /** The latency histogram of each scope, registered with the registry when the scope's first node is made. */
  private final Map<String, LatencyFamily> latencies = new ConcurrentHashMap<>();
  private ScheduledExecutorService ticker;
  /** Ticks so far; only the ticking thread touches it. */
  private long ticks;

  private record RouterInfo(String protocol, Supplier<Optional<String>> namespace, LongSupplier dtabVersion) {}

  private final class RouterNode {
    final String label;
    volatile RouterInfo info = new RouterInfo("http", Optional::empty, () -> 0);
    final Map<String, ServiceNode> services = new ConcurrentHashMap<>();
    final Map<String, ClientNode> clients = new ConcurrentHashMap<>();
    /** Per router server, by Linkerd's name for it ({@code 127.0.0.1/4140}); counted by no Micrometer meter. */
    final Map<String, TrafficStats> servers = new ConcurrentHashMap<>();
    final Map<String, ServiceNode> shadows = new ConcurrentHashMap<>();
    final LongAdder shadowDropped = new LongAdder();
    final LongAdder shadowSkipped = new LongAdder();

    RouterNode(String label) {
      this.label = label;
      Gauge.builder("turnout_router_dtab_version", this, n -> n.info.dtabVersion().getAsLong())
          .description("The dtab version the router routes by (0: config file dtab)")
          .tags("router", label)
          .register(registry);
      FunctionCounter.builder("turnout_shadow_dropped", shadowDropped, LongAdder::sum)
          .description("Mirrored requests dropped because the shadow queue was full")
          .tags("router", label)
          .register(registry);
      FunctionCounter.builder("turnout_shadow_skipped", shadowSkipped, LongAdder::sum)
          .description("Requests sampled for mirroring but not copied because their body was streamed")
          .tags("router", label)
          .register(registry);
    }
  }

  private final class ServiceNode {
    final TrafficStats stats;
    final Map<String, TrafficStats> clients = new ConcurrentHashMap<>();
    final String router;
    final String service;
    final String prefix;

    ServiceNode(String router, String service, String prefix) {
      this.router = router;
      this.service = service;
      this.prefix = prefix;
      this.stats = stats(prefix + "service", Tags.of("router", router, "service", service), this);
    }
  }

  private final class ClientNode {
    final TrafficStats stats;
    final Map<String, TrafficStats> endpoints = new ConcurrentHashMap<>();
    final Map<String, Supplier<Boolean>> ejected = new ConcurrentHashMap<>();

    final String name;
    final String router;

    ClientNode(String router, String client) {
      this.name = client;
      this.router = router;
      this.stats = stats("client", Tags.of("router", router, "client", client), this);
    }
  }

  public ProxyMetrics() {
    this(Nanos.SYSTEM, Clock.systemUTC());
  }

  public ProxyMetrics(LongSupplier nanos, Clock clock) {
    this.nanos = nanos;
    this.clock = clock;
  }

  /**
   * Now, by the clock every node's windows read: a request event reads it once and hands it to each
   * node it updates ({@link TrafficStats#finish(int, long, boolean, String, long)}).
   */
  public long nanos() {
    return nanos.getAsLong();
  }

  /** The clock {@link #nanos} reads: a caller that reads another clock too may read once when they are one. */
  public LongSupplier clock() {
    return nanos;
  }

  /** The Prometheus registry, for {@code /metrics}. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Declares a router, with where to read its store namespace and dtab version from. A router that
   * routes by a store namespace also reports the version per namespace ({@code
   * turnout_namespace_dtab_version{namespace, router}}), so a dashboard can follow one namespace
   * across the routers that use it.
   */
  public void router(String label, Supplier<Optional<String>> namespace, LongSupplier dtabVersion) {
    router(label, "http", namespace, dtabVersion);
  }

  /** As {@link #router(String, Supplier, LongSupplier)}, for a router of {@code protocol} ({@code http}, {@code h2}). */
  public void router(
      String label, String protocol, Supplier<Optional<String>> namespace, LongSupplier dtabVersion) {
    RouterNode node = routerNode(label);
    node.info = new RouterInfo(protocol, namespace, dtabVersion);
    namespace
        .get()
        .ifPresent(
            ns ->
                Gauge.builder("turnout_namespace_dtab_version", node, n -> n.info.dtabVersion().getAsLong())
                    .description("The version of the namespace's dtab in force on the router")
                    .tags("namespace", ns, "router", label)
                    .register(registry));
  }

  /** Figures of {@code service} ({@code /svc/users}) on {@code router}. */
  public TrafficStats service(String router, String service) {
    return serviceNode(router, service, false).stats;
  }

  /** Figures of the traffic {@code service} sent to bound client {@code client}. */
  public TrafficStats serviceClient(String router, String service, String client) {
    return serviceClient(serviceNode(router, service, false), client);
  }

  /**
   * As {@link #serviceClient(String, String, String)}, below figures {@link #service} returned: a request
   * that holds its service's figures finds these with one lookup.
   */
  public TrafficStats serviceClient(TrafficStats service, String client) {
    if (!(service.node instanceof ServiceNode s) || s.prefix.length() != 0) {
      throw new IllegalArgumentException("not the figures of a service: " + service);
    }
    return serviceClient(s, client);
  }

  private TrafficStats serviceClient(ServiceNode s, String client) {
    TrafficStats t = s.clients.get(client);
    if (t != null) {
      return t;
    }
    return s.clients.computeIfAbsent(
        capped(s.clients, client),
        c -> stats("service_client", Tags.of("router", s.router, "service", s.service, "client", c)));
  }

  /**
   * Figures of the router server at {@code address} ({@code 127.0.0.1/4140}, Linkerd's name for it): every
   * request it took, refused ones too, by the status it was answered with.
   */
  public TrafficStats server(String router, String address) {
    Map<String, TrafficStats> servers = routerNode(router).servers;
    TrafficStats t = servers.get(address);
    return t != null ? t : servers.computeIfAbsent(address, a -> new TrafficStats(nanos, (c, n) -> {}));
  }

  /** Figures of bound client {@code client} over all services. */
  public TrafficStats client(String router, String client) {
    return clientNode(router, client).stats;
  }

  /**
   * Figures of one endpoint of a client; {@code ejected} tells the dashboard whether failure accrual
   * has it out of rotation.
   */
  public TrafficStats endpoint(String router, String client, String endpoint, Supplier<Boolean> ejected) {
    return endpoint(clientNode(router, client), endpoint, ejected);
  }

  /**
   * As {@link #endpoint(String, String, String, Supplier)}, below figures {@link #client} returned: a
   * request that holds its client's figures finds an endpoint's with one lookup.
   */
  public TrafficStats endpoint(TrafficStats client, String endpoint, Supplier<Boolean> ejected) {
    if (!(client.node instanceof ClientNode c)) {
      throw new IllegalArgumentException("not the figures of a client: " + client);
    }
    return endpoint(c, endpoint, ejected);
  }

  private TrafficStats endpoint(ClientNode c, String endpoint, Supplier<Boolean> ejected) {
    TrafficStats t = c.endpoints.get(endpoint);
    if (t != null) {
      return t;
    }
    String key = capped(c.endpoints, endpoint);
    c.ejected.putIfAbsent(key, ejected);
    return c.endpoints.computeIfAbsent(
        key, e -> stats("endpoint", Tags.of("router", c.router, "client", c.name, "endpoint", e)));
  }

  /** Figures of requests mirrored from {@code service}, apart from real traffic. */
  public TrafficStats shadow(String router, String service) {
    return serviceNode(router, service, true).stats;
  }

  /** A mirrored request was dropped because too many were in flight. */
  public void shadowDropped(String router) {
    routerNode(router).shadowDropped.increment();
  }

  public long shadowDroppedCount(String router) {
    return routerNode(router).shadowDropped.sum();
  }

  /**
   * A request was sampled for mirroring but not copied: its body was streamed (chunked or too large to
   * hold), and a streamed body is read once, by the real request.
   */
  public void shadowSkipped(String router) {
    routerNode(router).shadowSkipped.increment();
  }

  public long shadowSkippedCount(String router) {
    return routerNode(router).shadowSkipped.sum();
  }

  /** The dashboard's read model. */
  public TrafficView view() {
    return new View();
  }

  /**
   * One second has passed: closes a one-second latency interval on every node, and every tenth call
   * records a history sample.
   */
  public void tick() {
    Instant at = clock.instant();
    boolean sample = ticks++ % 10 == 0;
    for (RouterNode r : routers.values()) {
      for (ServiceNode s : r.services.values()) {
        s.stats.tick(at, sample);
        s.clients.values().forEach(t -> t.tick(at, sample));
      }
      for (ServiceNode s : r.shadows.values()) {
        s.stats.tick(at, sample);
      }
      r.servers.values().forEach(t -> t.tick(at, sample));
      for (ClientNode c : r.clients.values()) {
        c.stats.tick(at, sample);
        c.endpoints.values().forEach(t -> t.tick(at, sample));
      }
    }
  }

  /** Starts ticking every second on a daemon thread. */
  public synchronized void start() {
    if (ticker == null) {
      ticker =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "turnout-metrics");
                t.setDaemon(true);
                return t;
              });
      ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
      ticker = null;
    }
  }

  /**
   * Every figure under Linkerd 1's flat names, such as {@code rt/web/service/svc/users/requests},
   * {@code rt/web/client/#/io.l5d.fs/users/request_latency_ms.p99}, {@code
   * rt/web/client/#/io.l5d.fs/users/endpoint/127.0.0.1:8080/success}, {@code rt/web/dtab/version}.
   */
  public Map<String, Number> flat() {
    Map<String, Number> out = new TreeMap<>();
    for (RouterNode r : routers.values()) {
      String rt = "rt/" + r.label + "/";
      out.put(rt + "dtab/version", r.info.dtabVersion().getAsLong());
      out.put(rt + "shadow/dropped", r.shadowDropped.sum());
      out.put(rt + "shadow/skipped", r.shadowSkipped.sum());
      r.servers.forEach((address, t) -> FlatStats.put(out, rt + "server/" + address + "/", t));
      for (ServiceNode s : r.services.values()) {
        String base = rt + "service/" + strip(s.service) + "/";
        FlatStats.put(out, base, s.stats);
        s.clients.forEach((c, t) -> FlatStats.put(out, base + "client/" + strip(c) + "/", t));
      }
      for (ServiceNode s : r.shadows.values()) {
        FlatStats.put(out, rt + "shadow/" + strip(s.service) + "/", s.stats);
      }
      r.clients.forEach(
          (c, n) -> {
            String base = rt + "client/" + strip(c) + "/";
            FlatStats.put(out, base, n.stats);
            n.endpoints.forEach((e, t) -> FlatStats.put(out, base + "endpoint/" + e + "/", t));
          });
    }
    return out;
  }

  /** Where each figures node sits in Linkerd 1's stats tree; see {@link #forEachScope}. */
  interface Scopes {
    /** {@code rt/<router>/service/<service>}: a service name's requests, retries included. */
    void service(String router, String service, TrafficStats t);

    /** {@code rt/<router>/client/<client>}: a bound client's requests, over all service names. */
    void client(String router, String client, TrafficStats t);

    /** {@code rt/<router>/client/<client>/service/<service>}: one service name's requests to a client. */
    void clientService(String router, String client, String service, TrafficStats t);

    /** {@code rt/<router>/server/<ip>/<port>}: every request a router server took. */
    void server(String router, String server, TrafficStats t);
  }

  /**
   * Hands every real-traffic figures node to {@code scopes}, routers, services and clients each in
   * name order, so two readings list the same nodes in the same order. Shadow traffic and endpoints
   * have no place in Linkerd 1's tree and are not handed out.
   */
  void forEachScope(Scopes scopes) {
    for (RouterNode r : new TreeMap<>(routers).values()) {
      for (ServiceNode s : new TreeMap<>(r.services).values()) {
        scopes.service(r.label, s.service, s.stats);
      }
      new TreeMap<>(r.clients).forEach((name, c) -> scopes.client(r.label, name, c.stats));
      for (ServiceNode s : new TreeMap<>(r.services).values()) {
        new TreeMap<>(s.clients).forEach((client, t) -> scopes.clientService(r.label, client, s.service, t));
      }
      new TreeMap<>(r.servers).forEach((address, t) -> scopes.server(r.label, address, t));
    }
  }

  private static String strip(String path) {
    return path.startsWith("/") ? path.substring(1) : path;
  }

  private RouterNode routerNode(String label) {
    RouterNode r = routers.get(label);
    return r != null ? r : routers.computeIfAbsent(label, RouterNode::new);
  }

  private ServiceNode serviceNode(String router, String service, boolean shadow) {
    RouterNode r = routerNode(router);
    Map<String, ServiceNode> map = shadow ? r.shadows : r.services;
    ServiceNode s = map.get(service);
    if (s != null) {
      return s;
    }
    return map.computeIfAbsent(capped(map, service), k -> new ServiceNode(router, k, shadow ? "shadow_" : ""));
  }

  private ClientNode clientNode(String router, String client) {
    RouterNode r = routerNode(router);
    ClientNode c = r.clients.get(client);
    return c != null ? c : r.clients.computeIfAbsent(capped(r.clients, client), k -> new ClientNode(router, k));
  }

  /** {@code name}, or {@link #OTHER} when {@code map} is full or the name too long to be a label. */
  private static String capped(Map<String, ?> map, String name) {
    return map.size() < MAX_SERVICES && name.length() <= MAX_NAME_LENGTH ? name : OTHER;
  }

  /**
   * A stats node whose figures are also Prometheus meters named {@code turnout_<scope>_...}, each with
   * a {@code # HELP} text. The text depends on the scope only, never on the labels: every meter of one
   * name shares one family, and so one help line.
   */
  private TrafficStats stats(String scope, Tags tags) {
    return stats(scope, tags, null);
  }

  private TrafficStats stats(String scope, Tags tags, Object node) {
    String p = "turnout_" + scope + "_";
    String of = WHAT.get(scope);
    TrafficStats t =
        new TrafficStats(
            nanos,
            (failureClass, counter) ->
                FunctionCounter.builder(p + "failures_by_class", counter, LongAdder::sum)
                    .description("Failed requests " + of + ", by failure class (connect, timeout, reset,"
                        + " unroutable, or the status code of a response classified as a failure)")
                    .tags(tags.and("class", failureClass))
                    .register(registry),
            node);
    // Latency as a Prometheus histogram: cumulative counts under fixed bounds, which Prometheus sums
    // across instances and takes quantiles of (histogram_quantile), as it cannot with quantiles. Filled
    // from the node's one-second intervals by the tick, not by the request.
    latencies
        .computeIfAbsent(
            scope,
            s -> {
              LatencyFamily f =
                  new LatencyFamily(
                      p + "latency_ms",
                      "Latency of requests " + of + " in milliseconds, counted under fixed bounds since start");
              registry.getPrometheusRegistry().register(f);
              return f;
            })
        .add(tags, t);
    counter(p + "requests", t, TrafficStats::requests, tags,
        "Finished requests " + of + ", each counted once as a success or a failure");
    counter(p + "successes", t, TrafficStats::successes, tags, "Requests " + of + " that succeeded");
    counter(p + "failures", t, TrafficStats::failures, tags, "Requests " + of + " that failed, whatever the class");
    counter(p + "retries", t, TrafficStats::retries, tags,
        "Retries of requests " + of + " (only a service's requests are retried)");
    Gauge.builder(p + "in_flight", t, TrafficStats::inFlight)
        .description("Requests " + of + " started and not yet finished")
        .tags(tags)
        .register(registry);
    for (int w : new int[] {10, 60}) {
      String window = w == 10 ? "10s" : "1m";
      Gauge.builder(p + "success_rate", t, s -> s.successRate(w))
          .description("Share (0-1) of requests " + of + " that succeeded over the window; NaN with none")
          .tags(tags.and("window", window))
          .register(registry);
      Gauge.builder(p + "request_rate", t, s -> s.requestRate(w))
          .description("Requests " + of + " finished per second over the window")
          .tags(tags.and("window", window))
          .register(registry);
    }
    return t;
  }

  private void counter(String name, TrafficStats t, ToDoubleFunction<TrafficStats> count, Tags tags, String help) {
    FunctionCounter.builder(name, t, count).description(help).tags(tags).register(registry);
  }

  private final class View implements TrafficView {
    @Override
    public List<RouterTraffic> routers() {
      List<RouterTraffic> out = new ArrayList<>();
      for (RouterNode r : routers.values()) {
        List<ServiceTraffic> services = new ArrayList<>();
        for (ServiceNode s : r.services.values()) {
          double total = s.stats.requestRate(10);
          List<ClientTraffic> clients = new ArrayList<>();
          s.clients.forEach(
              (c, t) -> {
                ClientNode cn = r.clients.get(c);
                List<EndpointTraffic> eps = new ArrayList<>();
                if (cn != null) {
                  cn.endpoints.forEach(
                      (e, et) ->
                          eps.add(
                              new EndpointTraffic(
                                  e, et.view(), cn.ejected.getOrDefault(e, () -> false).get())));
                  eps.sort(Comparator.comparing(EndpointTraffic::endpoint));
                }
                // The contract's share is of recent requests, so a shift of traffic shows in seconds.
                double share = total == 0 ? 0 : t.requestRate(10) / total;
                clients.add(new ClientTraffic(c, t.view(), share, eps));
              });
          clients.sort(Comparator.comparing(ClientTraffic::client));
          services.add(new ServiceTraffic(s.service, s.stats.view(), clients));
        }
        services.sort(Comparator.comparing(ServiceTraffic::service));
        out.add(
            new RouterTraffic(
                r.label,
                r.info.protocol(),
                r.info.namespace().get().orElse(null),
                r.info.dtabVersion().getAsLong(),
                services));
      }
      out.sort(Comparator.comparing(RouterTraffic::router));
      return out;
    }

    @Override
    public List<Sample> history(String router, String service, String client, int minutes) {
      RouterNode r = routers.get(router);
      if (r == null) {
        return List.of();
      }
      ServiceNode s = r.services.get(service);
      if (s == null) {
        return List.of();
      }
      TrafficStats t = client == null ? s.stats : s.clients.get(client);
      return t == null ? List.of() : t.history(minutes);
    }
  }
}
