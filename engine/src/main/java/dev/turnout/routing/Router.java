package dev.turnout.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.turnout.config.ClientConfig;
import dev.turnout.config.IdentifierConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServiceConfig;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.DelegateTree;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.TransformerChain;
import dev.turnout.tls.ClientTlsSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One configured router's routing decisions, free of any HTTP server: identification, the bound tree
 * for a service name under the base dtab in force plus a request's local dtab, the choice of a union
 * branch, the clients and their balancers, the response classifier and the retry budget.
 *
 * <p><b>Bound trees are cached</b> per routing snapshot and interpreter generation (a new dtab version
 * or a namer change starts a fresh cache), keyed by local dtab and service name, bounded in size (a request without a local dtab finds its name in
 * a map by name alone, see {@link Bindings}). With
 * {@code skipUnavailableAlternatives} (the default) binding passes over an alternative whose clients have
 * no usable endpoint, so {@code /#/io.l5d.fs/east | /#/io.l5d.fs/west} routes to west while east's
 * endpoints refuse connections or are ejected. An entry is therefore also dropped when any endpoint
 * enters or leaves rotation, and when an ejected endpoint it passed over becomes due for probing.
 *
 * <p>The interpreter's {@code transformers:} rewrite each tree as it is bound, so the cached route
 * already holds the transformed names and a request pays nothing more for them.
 *
 * <p><b>Per-prefix policy</b> ({@code io.l5d.static} service and client blocks) is resolved once: a
 * service name's {@link ServicePolicy} on its first request (kept in a bounded cache; with no static
 * entries every name shares the one policy, and with it one retry budget, as a global block always
 * did), a client's settings when its {@link Client} is made. Under static entries each service name
 * has a retry budget of its own, as each of Linkerd's path stacks has.
 */
public final class Router {
  private final RouterConfig config;
  private final Interpreter interpreter;
  private final DtabSource source;
  private final LongSupplier nanos;
  private final Identifier identifier;
  private final ServicePolicy global;
  private final Cache<Path, ServicePolicy> policies = Caffeine.newBuilder().maximumSize(10_000).build();
  private final TransformerChain transformers;
  private final ConcurrentHashMap<Path, Client> clients = new ConcurrentHashMap<>();
  private final AtomicLong health = new AtomicLong();
  private volatile Bindings bindings;
  private final ClientTlsSet clientTls;

  private record Key(Dtab local, Path service) {}

  private record Bound(Route route, long health, long validUntil) {}

  /**
   * The bound-tree cache of one snapshot and interpreter generation. A request without a local dtab
   * (nearly every one) finds its name in {@code plain}, a map by service name alone, which makes no key
   * per request and records no read for eviction (together 0.3% of the proxy's CPU under load, and the
   * 24 bytes of routing's own allocation per request). Having no eviction, it takes a name only when the
   * name is asked for again while bound in {@code cache}, and only while it holds fewer than {@link
   * #PLAIN_MAX}: names asked for once (a scanner's made-up Host values) stay in the bounded cache and age
   * out of it, as do the names past those and every request with a local dtab. A name moves from the
   * cache to the map, so apart from that moment it is in one of the two.
   */
  private record Bindings(
      RoutingSnapshot snapshot, long generation, ConcurrentHashMap<Path, Bound> plain, Cache<Key, Bound> cache) {
    Bound get(Dtab local, Path service) {
      boolean plainName = local.isEmpty();
      if (plainName) {
        Bound b = plain.get(service);
        if (b != null) {
          return b;
        }
      }
      Key key = new Key(local, service);
      Bound b = cache.getIfPresent(key);
      if (b != null && plainName && plain.size() < PLAIN_MAX) {
        // A rebinding that races this move may be overwritten by the older binding; its health and
        // validity are checked on every use, so it is bound again and replaced in the map.
        plain.put(service, b);
        cache.invalidate(key);
      }
      return b;
    }

    void put(Dtab local, Path service, Bound bound) {
      if (local.isEmpty() && plain.containsKey(service)) {
        plain.put(service, bound);
      } else {
        cache.put(new Key(local, service), bound);
      }
    }
  }

  /** The most service names bound without a local dtab that a snapshot keeps apart from its cache. */
  static final int PLAIN_MAX = 1_000;

  /**
   * A router whose clients' TLS ({@code client.tls}, and that of {@code io.l5d.static} entries) is
   * loaded here and not watched for changes.
   *
   * @throws dev.turnout.tls.TlsException naming the file and the problem
   */
  public Router(RouterConfig config, Interpreter interpreter, DtabSource source, LongSupplier nanos) {
    this(config, interpreter, source, nanos,
        ClientTlsSet.load(config.client(), "routers." + config.label() + ".client",
            new dev.turnout.tls.TlsReloader(System::nanoTime, dev.turnout.tls.TlsReloader.EVERY),
            java.time.Clock.systemUTC()));
  }

  /**
   * A router whose clients speak the TLS of {@code clientTls} (loaded by the caller from the router's
   * {@code client:} block, perhaps watched for rotation), each client the one its entries leave in force.
   */
  public Router(
      RouterConfig config, Interpreter interpreter, DtabSource source, LongSupplier nanos, ClientTlsSet clientTls) {
    this.clientTls = clientTls;
    this.config = config;
    this.interpreter = interpreter;
    this.source = source;
    this.nanos = nanos;
    List<Identifier> ids = new ArrayList<>();
    for (IdentifierConfig ic : config.identifiers()) {
      ids.add(Identifier.of(ic, config.dstPrefix()));
    }
    if (ids.isEmpty()) {
      ids.add(Identifier.headerToken(config.dstPrefix(), "Host"));
    }
    this.identifier = Identifier.firstOf(ids);
    this.transformers = Transformers.of(config.interpreter().transformers(), interpreter);
    this.global = policy(config.service());
  }

  private ServicePolicy policy(ServiceConfig s) {
    String kind = s.responseClassifier();
    boolean grpc = GrpcClassifier.isGrpc(kind);
    return new ServicePolicy(
        grpc ? ResponseClassifier.NON_RETRYABLE_5XX : ResponseClassifier.of(kind),
        new RetryBudget(s.percentCanRetry(), s.minRetriesPerSec(), s.retryTtl(), nanos),
        s.backoff(),
        s.totalTimeout(),
        grpc ? Optional.of(GrpcClassifier.parse(kind)) : Optional.empty());
  }

  public String label() {
    return config.label();
  }

  public RouterConfig config() {
    return config;
  }

  public DtabSource source() {
    return source;
  }

  /** The classifier of a service no static entry matches. */
  public ResponseClassifier classifier() {
    return global.classifier();
  }

  /** The retry budget of a service no static entry matches. */
  public RetryBudget retryBudget() {
    return global.retryBudget();
  }

  /** What applies to {@code service}'s requests: worked out on its first request, then kept. */
  public ServicePolicy policy(Path service) {
    if (config.service().configs().isEmpty()) {
      return global;
    }
    ServicePolicy p = policies.getIfPresent(service);
    return p != null ? p : policies.get(service, s -> policy(config.service().forService(s)));
  }

  public long nanos() {
    return nanos.getAsLong();
  }

  /** The clock {@link #nanos} reads: a caller that reads another clock too may read once when they are one. */
  public LongSupplier clock() {
    return nanos;
  }

  /**
   * The request's service name, or empty when no identifier applies.
   *
   * @throws IdentificationException when an identifier finds the request bad for it (400)
   */
  public Optional<Identification> identify(RequestHead request) {
    return identifier.identify(request);
  }

  /**
   * The bound tree for {@code service} under {@code snapshot}'s dtab followed by {@code local}.
   *
   * @throws dev.turnout.naming.BindingException when binding cannot finish
   */
  public Route bind(RoutingSnapshot snapshot, Dtab local, Path service) {
    return bind(snapshot, local, service, nanos.getAsLong());
  }

  /** As {@link #bind(RoutingSnapshot, Dtab, Path)}, at {@code now} of this router's {@link #clock}. */
  public Route bind(RoutingSnapshot snapshot, Dtab local, Path service, long now) {
    Bindings b = bindings;
    long generation = interpreter.generation();
    if (b == null || b.snapshot() != snapshot || b.generation() != generation) {
      b = new Bindings(
          snapshot, generation, new ConcurrentHashMap<>(), Caffeine.newBuilder().maximumSize(10_000).build());
      bindings = b;
    }
    Bound cached = b.get(local, service);
    if (cached != null && cached.health() == health.get() && now < cached.validUntil()) {
      return cached.route();
    }
    Bound fresh = bindNow(snapshot.dtab().concat(local), service);
    b.put(local, service, fresh);
    return fresh.route();
  }

  /**
   * As {@link #bind}, but bound now rather than taken from the cache (what is found is cached): for a
   * request that saw one of its names turn out not to exist, whose namer may not have moved its
   * generation yet, so the cache may still hold the tree that chose that name.
   */
  public Route bindAfresh(RoutingSnapshot snapshot, Dtab local, Path service) {
    Bound fresh = bindNow(snapshot.dtab().concat(local), service);
    Bindings b = bindings;
    if (b != null && b.snapshot() == snapshot && b.generation() == interpreter.generation()) {
      b.put(local, service, fresh);
    }
    return fresh.route();
  }

  private Route route(Path service, NameTree<BoundName> tree) {
    NameTree<Route.Target> targets =
        tree.map(
            n ->
                new Route.Target(
                    n, n.id().show(), n.residual().isEmpty() ? "" : n.residual().show(), client(n)));
    return new Route(service.show(), tree, targets);
  }

  /**
   * Binds, then lets the router's transformers rewrite the result; an alternative is judged usable by
   * the clients of its names as transformed, since those are the clients traffic would use.
   */
  private Bound bindNow(Dtab dtab, Path service) {
    long healthBefore = health.get();
    if (!config.skipUnavailableAlternatives()) {
      NameTree<BoundName> tree = transformers.apply(interpreter.bind(dtab, service));
      return new Bound(route(service, tree), healthBefore, Long.MAX_VALUE);
    }
    long[] revival = {Long.MAX_VALUE};
    NameTree<BoundName> tree =
        interpreter.bind(
            dtab,
            service,
            transformers.judgedAfter(
                name -> {
                  Client c = client(name);
                  revival[0] = Math.min(revival[0], c.nextRevival());
                  return c.usable();
                }));
    return new Bound(route(service, transformers.apply(tree)), healthBefore, revival[0]);
  }

  /** The delegation tree of {@code service} under {@code dtab} as this router's transformers leave it. */
  public DelegateTree delegate(Dtab dtab, Path service) {
    return transformers.apply(interpreter.delegate(dtab, service));
  }

  /**
   * One leaf of a bound tree for one request: a union picks a branch at random in proportion to the
   * weights (uniformly if they sum to 0), nested unions pick again. Empty when the choice lands on
   * Neg, Fail or Empty: that request has no destination.
   */
  @SuppressWarnings("unchecked")
  public static <T> Optional<T> choose(NameTree<T> tree) {
    return tree.accept((NameTree.Visitor<T, Optional<T>>) (NameTree.Visitor<?, ?>) CHOICE);
  }

  /** {@link #choose}: one stateless visitor for every leaf type, since it only passes leaves through. */
  private static final NameTree.Visitor<Object, Optional<Object>> CHOICE =
      new NameTree.Visitor<>() {
        @Override
        public Optional<Object> leaf(NameTree.Leaf<Object> leaf) {
          return Optional.of(leaf.value());
        }

        /** A bound tree has no Alt; were one there, it would be no destination. */
        @Override
        public Optional<Object> alt(NameTree.Alt<Object> alt) {
          return Optional.empty();
        }

        @Override
        public Optional<Object> union(NameTree.Union<Object> union) {
          List<NameTree.Weighted<Object>> branches = union.trees();
          if (branches.isEmpty()) {
            return Optional.empty();
          }
          // Loops by index: an iterator per request was left to escape analysis, which the JIT's
          // inlining under a larger caller did not always reach (RoutingBenchmark: 48 bytes a request).
          int n = branches.size();
          double total = 0;
          for (int i = 0; i < n; i++) {
            total += Math.max(0, branches.get(i).weight());
          }
          ThreadLocalRandom rnd = ThreadLocalRandom.current();
          NameTree<Object> next = branches.get(branches.size() - 1).tree();
          if (total <= 0) {
            next = branches.get(rnd.nextInt(branches.size())).tree();
          } else {
            double x = rnd.nextDouble(total);
            for (int i = 0; i < n; i++) {
              NameTree.Weighted<Object> w = branches.get(i);
              x -= Math.max(0, w.weight());
              if (x < 0) {
                next = w.tree();
                break;
              }
            }
          }
          return next.accept(this);
        }

        @Override
        public Optional<Object> neg() {
          return Optional.empty();
        }

        @Override
        public Optional<Object> fail() {
          return Optional.empty();
        }

        @Override
        public Optional<Object> empty() {
          return Optional.empty();
        }
      };

  /** The client of a bound name (one per bound id), created on first use. */
  public Client client(BoundName name) {
    Client c = clients.get(name.id());
    if (c != null) {
      return c;
    }
    return clients.computeIfAbsent(name.id(), id -> {
      ClientConfig settings = config.client().forClient(id);
      return new Client(name, settings, clientTls.forClient(id, settings), nanos);
    });
  }

  /** Every client used so far. */
  public List<Client> clients() {
    return List.copyOf(clients.values());
  }

  /**
   * Records an attempt's outcome on its endpoint, for balancing and failure accrual: it took {@code
   * latencyNanos} and ended at {@code nowNanos} of this router's {@link #clock}.
   */
  public void recordOutcome(Endpoint endpoint, ResponseClass outcome, long latencyNanos, long nowNanos) {
    endpoint.latency(latencyNanos, nowNanos);
    if (endpoint.accrual().record(outcome.isSuccess())) {
      health.incrementAndGet();
    }
  }

  /** A connection to {@code endpoint} could not be made: it leaves rotation at once. */
  public void connectFailed(Endpoint endpoint) {
    if (endpoint.accrual().connectFailed()) {
      health.incrementAndGet();
    }
  }

  /** Marks the start and end of an attempt on an endpoint (its load, for balancing). */
  public void attemptStarted(Endpoint endpoint) {
    endpoint.started();
  }

  public void attemptFinished(Endpoint endpoint) {
    endpoint.finished();
  }
}
