package dev.turnout.naming.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.config.NamerConfig;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Name;
import dev.turnout.naming.Namer;
import dev.turnout.naming.NamerStatus;
import dev.turnout.naming.Var;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Linkerd's {@code io.l5d.k8s}: {@code /#/io.l5d.k8s/NAMESPACE/PORT/SERVICE[/LABEL_VALUE]/residual},
 * the ready addresses of a Kubernetes service at one of its ports. {@code PORT} is an endpoint port's
 * name, or a number: a port of the Service, followed to its {@code targetPort} (a number, or a name
 * looked up as above), as Linkerd does. With {@code labelSelector: KEY} a name carries one more label,
 * and only objects labelled {@code KEY=VALUE} count. Labels are lower-cased, as Linkerd does.
 *
 * <p>Endpoints come from the service's EndpointSlices ({@code discovery.k8s.io/v1}, by the {@code
 * kubernetes.io/service-name} label) when it has any and the server serves them, from its Endpoints
 * object otherwise (Linkerd's {@code /api/v1/namespaces/NS/endpoints/SVC}, watched at {@code
 * /api/v1/watch/namespaces/NS/endpoints/SVC}). Each is listed then watched ({@link ResourceWatch}) on
 * the namer's own threads; {@link #lookup} answers at once from
 * memory with one {@link Var} per name for the namer's life, updated in place.
 *
 * <p>A name short of labels is Neg (an Alt falls back); labels Kubernetes could not hold (an upper-case
 * or dotted namespace, a port name longer than 15) bind to {@link Addr.Failed} saying why, which the
 * proxy reports in {@code l5d-err}. An unknown service or port is {@link Addr.Neg}; one with no ready
 * address is bound and empty. Until the first answer a name is Pending; if the server cannot be
 * reached before it, Failed with the reason. Once a name had an answer, an unreachable or garbled
 * server changes nothing but {@link #status()}: stale, with the last error.
 */
public final class K8sNamer implements Namer, Closeable {
  public static final Path DEFAULT_PREFIX = Path.of("#", NamerConfig.K8s.KIND);
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");
  private static final Pattern LABEL_VALUE = Pattern.compile("([a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?)?");

  private final K8sApi api;
  private final Path prefix;
  private final Optional<String> labelKey;
  private final Clock clock;
  private final Duration watchIdle;
  private final ExecutorService http;
  private final ScheduledExecutorService scheduler;
  private final Map<Path, Var<Addr>> names = new ConcurrentHashMap<>();
  private final Map<ServiceKey, ServiceState> services = new ConcurrentHashMap<>();

  private final Set<Object> failing = ConcurrentHashMap.newKeySet();
  private volatile Instant lastUpdate;
  private volatile String lastError;

  private record ServiceKey(String namespace, String service, Optional<String> label) {}

  /** The namer a config block describes; {@code inCluster} reads this process's environment. */
  public static K8sNamer start(NamerConfig.K8s config, Clock clock) {
    ExecutorService http = Executors.newFixedThreadPool(2, daemon("turnout-k8s-http"));
    try {
      K8sApi api =
          config.inCluster()
              ? K8sApi.inCluster(System.getenv(), K8sApi.SERVICE_ACCOUNT, http)
              : K8sApi.plain(config.host(), config.port(), http);
      return new K8sNamer(api, http, config.prefix(), config.labelSelector(), clock, ResourceWatch.DEFAULT_IDLE);
    } catch (RuntimeException e) {
      http.shutdownNow();
      throw e;
    }
  }

  private static final Map<String, K8sNamer> SHARED = new ConcurrentHashMap<>();

  /**
   * One namer per API server for the process's transformers ({@code io.l5d.k8s.daemonset}), which
   * Linkerd gives a client of their own: started on first use and kept, with its watches, for the
   * process's life, since routers (and the views of their routing) build transformers again and again.
   */
  public static K8sNamer shared(String host, int port) {
    return SHARED.computeIfAbsent(
        host + ":" + port, k -> plain(host, port, Path.EMPTY, Optional.empty(), Clock.systemUTC()));
  }

  /** The live addresses of {@code namespace/port/service} (a port name or number). */
  public Var<Addr> addr(String namespace, String port, String service) {
    NameTree<Name> tree = lookup(Path.of(namespace, port, service));
    if (tree instanceof NameTree.Leaf<Name> leaf && leaf.value() instanceof Name.Resolved r) {
      return r.bound().addr();
    }
    return new Var<>(new Addr.Neg());
  }

  /** A namer reading {@code kubectl proxy} (or a plain-HTTP API server) at {@code host:port}. */
  public static K8sNamer plain(String host, int port, Path prefix, Optional<String> labelKey, Clock clock) {
    return start(new NamerConfig.K8s(prefix, host, port, labelKey, false), clock);
  }

  /** In-cluster with {@code env} for the process's environment and {@code accountDir} for the service account's. */
  static K8sNamer inCluster(Map<String, String> env, java.nio.file.Path accountDir, Path prefix, Clock clock) {
    ExecutorService http = Executors.newFixedThreadPool(2, daemon("turnout-k8s-http"));
    return new K8sNamer(K8sApi.inCluster(env, accountDir, http), http, prefix, Optional.empty(), clock, ResourceWatch.DEFAULT_IDLE);
  }

  /** As {@link #plain}, a watch that says nothing for {@code watchIdle} being presumed dead. */
  static K8sNamer plain(String host, int port, Duration watchIdle) {
    ExecutorService http = Executors.newFixedThreadPool(2, daemon("turnout-k8s-http"));
    return new K8sNamer(K8sApi.plain(host, port, http), http, DEFAULT_PREFIX, Optional.empty(), Clock.systemUTC(), watchIdle);
  }

  private K8sNamer(K8sApi api, ExecutorService http, Path prefix, Optional<String> labelKey, Clock clock, Duration watchIdle) {
    if (watchIdle.isNegative() || watchIdle.isZero()) {
      throw new IllegalArgumentException("a watch's idle limit must be positive, not " + watchIdle);
    }
    this.watchIdle = watchIdle;
    this.api = api;
    this.http = http;
    this.prefix = prefix;
    this.labelKey = labelKey;
    this.clock = clock;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("turnout-k8s-namer"));
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public NameTree<Name> lookup(Path path) {
    int need = labelKey.isPresent() ? 4 : 3;
    if (path.size() < need) {
      return NameTree.neg();
    }
    String[] labels = new String[need];
    for (int i = 0; i < need; i++) {
      labels[i] = path.label(i).toLowerCase(Locale.ROOT);
    }
    Path id = prefix.concat(Path.of(labels));
    Var<Addr> addr = names.get(id);
    if (addr == null) {
      addr = names.computeIfAbsent(id, k -> bind(labels));
    }
    return NameTree.leaf(new Name.Resolved(new BoundName(id, path.drop(need), addr)));
  }

  /** Each name asked for, by its id, with its endpoints now. */
  @Override
  public Map<Path, Addr> names() {
    Map<Path, Addr> out = new java.util.TreeMap<>(java.util.Comparator.comparing(Path::show));
    names.forEach((id, addr) -> out.put(id, addr.get()));
    return out;
  }

  /** The variable of a name seen for the first time: a service's port, or why the name cannot be one. */
  private Var<Addr> bind(String[] labels) {
    String ns = labels[0];
    String port = labels[1];
    String svc = labels[2];
    String why = null;
    if (!DNS_LABEL.matcher(ns).matches()) {
      why = "'" + ns + "' cannot be a Kubernetes namespace (lower-case letters, digits and '-', at most 63)";
    } else if (!DNS_LABEL.matcher(svc).matches()) {
      why = "'" + svc + "' cannot be a Kubernetes service name (lower-case letters, digits and '-', at most 63)";
    } else if (portNumber(port) == 0 && !(PORT_NAME.matcher(port).matches() && port.matches(".*[a-z].*"))) {
      why = "'" + port + "' is neither a port number (1-65535) nor a Kubernetes port name (at most 15 letters, digits and '-')";
    } else if (labelKey.isPresent() && !LABEL_VALUE.matcher(labels[3]).matches()) {
      why = "'" + labels[3] + "' cannot be the value of the label " + labelKey.get();
    }
    if (why != null) {
      return new Var<>(new Addr.Failed(NamerConfig.K8s.KIND + ": " + why));
    }
    Optional<String> selector = labelKey.map(k -> k + "=" + labels[3]);
    ServiceKey key = new ServiceKey(ns, svc, selector);
    ServiceState state = services.computeIfAbsent(key, ServiceState::new);
    return state.var(port);
  }

  /** {@code text} as a port number, or 0 when it is not one. */
  private static int portNumber(String text) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return 0;
    }
    int n = Integer.parseInt(text);
    return n >= 1 && n <= 65535 ? n : 0;
  }

  @Override
  public Optional<NamerStatus> status() {
    return Optional.of(
        new NamerStatus(
            "kubernetes " + api.describe(),
            Optional.ofNullable(lastUpdate),
            Optional.ofNullable(lastError),
            !failing.isEmpty()));
  }

  /** Stops every watch and thread; bound names keep their last endpoints. */
  @Override
  public void close() {
    for (ServiceState s : services.values()) {
      s.close();
    }
    scheduler.shutdownNow();
    http.shutdownNow();
  }

  /** A service's watched objects and the variables of the ports looked up so far. */
  private final class ServiceState {
    private final ServiceKey key;
    private final Map<String, Var<Addr>> ports = new ConcurrentHashMap<>();
    private final ResourceWatch endpointsWatch;
    private final ResourceWatch slicesWatch;
    private volatile ResourceWatch serviceWatch;

    private Map<String, JsonNode> endpoints;
    private Map<String, JsonNode> slices;
    private boolean slicesServed = true;
    private Map<String, JsonNode> serviceObject;
    private boolean answered;

    ServiceState(ServiceKey key) {
      this.key = key;
      String ns = key.namespace();
      String svc = key.service();
      // Linkerd's URLs: the object by name, a label selector (when configured) as a parameter of both
      String label = key.label().map(l -> "?labelSelector=" + l).orElse("");
      String path = "namespaces/" + ns + "/endpoints/" + svc;
      this.endpointsWatch =
          new ResourceWatch(
              api,
              scheduler,
              watchIdle,
              "endpoints " + ns + "/" + svc,
              "/api/v1/" + path + label,
              true,
              "/api/v1/watch/" + path + label,
              o -> named(o, svc) && labelled(o),
              sink(m -> endpoints = m));
      String slicesUrl =
          "/apis/discovery.k8s.io/v1/namespaces/" + ns + "/endpointslices?labelSelector=" + SERVICE_NAME_LABEL + "=" + svc
              + key.label().map(l -> "," + l).orElse("");
      this.slicesWatch =
          new ResourceWatch(
              api,
              scheduler,
              watchIdle,
              "endpointslices of " + ns + "/" + svc,
              slicesUrl,
              false,
              slicesUrl + "&watch=true",
              o -> svc.equals(o.path("metadata").path("labels").path(SERVICE_NAME_LABEL).asText()) && labelled(o),
              new Sink(m -> slices = m) {
                @Override
                public void unsupported() {
                  synchronized (ServiceState.this) {
                    slicesServed = false;
                    recompute();
                  }
                }
              });
      endpointsWatch.start();
      slicesWatch.start();
    }

    private boolean named(JsonNode o, String name) {
      return name.equals(o.path("metadata").path("name").asText());
    }

    private boolean labelled(JsonNode o) {
      if (key.label().isEmpty()) {
        return true;
      }
      String[] kv = key.label().get().split("=", 2);
      return kv[1].equals(o.path("metadata").path("labels").path(kv[0]).asText(null));
    }

    private Sink sink(java.util.function.Consumer<Map<String, JsonNode>> store) {
      return new Sink(store);
    }

    synchronized Var<Addr> var(String port) {
      Var<Addr> v = ports.get(port);
      if (v != null) {
        return v;
      }
      v = new Var<>(new Addr.Pending());
      ports.put(port, v);
      if (portNumber(port) > 0 && serviceWatch == null) {
        String ns = key.namespace();
        String svc = key.service();
        serviceWatch =
            new ResourceWatch(
                api,
                scheduler,
                watchIdle,
                "service " + ns + "/" + svc,
                "/api/v1/namespaces/" + ns + "/services/" + svc,
                true,
                "/api/v1/watch/namespaces/" + ns + "/services/" + svc,
                o -> named(o, svc),
                sink(m -> serviceObject = m));
        serviceWatch.start();
      }
      v.set(compute(port));
      return v;
    }

    /** Not under this state's lock: a watch holds its own lock while it tells this state. */
    void close() {
      endpointsWatch.close();
      slicesWatch.close();
      ResourceWatch s = serviceWatch;
      if (s != null) {
        s.close();
      }
    }

    private void recompute() {
      for (Map.Entry<String, Var<Addr>> e : ports.entrySet()) {
        e.getValue().set(compute(e.getKey()));
      }
    }

    private Addr compute(String port) {
      List<EndpointGroup> groups;
      if (slicesServed && slices != null && !slices.isEmpty()) {
        groups = EndpointGroup.fromSlices(slices.values());
      } else if (endpoints == null) {
        return new Addr.Pending();
      } else if (endpoints.isEmpty()) {
        // no Endpoints object: Neg, once the slices have said they have none either
        return slicesServed && slices == null ? new Addr.Pending() : new Addr.Neg();
      } else {
        groups = EndpointGroup.fromEndpoints(endpoints.values());
      }
      int number = portNumber(port);
      if (number == 0) {
        return EndpointGroup.named(groups, port);
      }
      if (serviceObject == null) {
        return new Addr.Pending();
      }
      return serviceObject.values().stream()
          .findFirst()
          .flatMap(s -> EndpointGroup.targetPort(s, number))
          .map(target -> target.number() > 0 ? EndpointGroup.numbered(groups, target.number()) : EndpointGroup.named(groups, target.name()))
          .orElseGet(Addr.Neg::new);
    }

    /** Hears one watch: stores its objects and recomputes, or records its failure. */
    private class Sink implements ResourceWatch.Sink {
      private final java.util.function.Consumer<Map<String, JsonNode>> store;

      Sink(java.util.function.Consumer<Map<String, JsonNode>> store) {
        this.store = store;
      }

      @Override
      public void changed(Map<String, JsonNode> objects) {
        synchronized (ServiceState.this) {
          store.accept(objects);
          answered = true;
          lastUpdate = clock.instant();
          recompute();
        }
      }

      @Override
      public void failed(String why) {
        lastError = why;
        failing.add(this);
        synchronized (ServiceState.this) {
          if (!answered) {
            for (Var<Addr> v : ports.values()) {
              v.set(new Addr.Failed(NamerConfig.K8s.KIND + ": " + why));
            }
          }
        }
      }

      @Override
      public void healthy() {
        lastUpdate = clock.instant();
        if (failing.remove(this) && failing.isEmpty()) {
          lastError = null;
        }
      }
    }
  }
}
