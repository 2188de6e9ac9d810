package dev.turnout.naming.consul;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Name;
import dev.turnout.naming.Namer;
import dev.turnout.naming.NameSetChanges;
import dev.turnout.naming.NamerStatus;
import dev.turnout.naming.Var;
import dev.turnout.naming.consul.ConsulApi.Agent;
import dev.turnout.naming.consul.ConsulApi.BadAnswer;
import dev.turnout.naming.consul.ConsulApi.Key;
import dev.turnout.tls.ClientTls;
import java.io.Closeable;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linkerd's {@code io.l5d.consul}: {@code /#/io.l5d.consul/DC/SERVICE[/residual]}, or with {@code
 * includeTag} {@code /#/io.l5d.consul/DC/TAG/SERVICE}, binds to the instances Consul lists for the
 * service (and tag) in that datacenter; {@code .local} as the datacenter means the agent's own, as
 * {@code /v1/agent/self} names it. Service and tag are lowercased, as Linkerd does.
 *
 * <p>The first lookup of a service makes its {@link ServiceWatch} and answers at once with its
 * variable, Pending until Consul answers; later lookups answer from memory. Each datacenter's service
 * list is watched once ({@link CatalogGate}); a service it lists gets blocking queries of its own (on
 * the namer's thread and the JDK client's), a name it does not list is Neg and costs no query, so
 * made-up names (every {@code Host} a caller sends) cannot open connections to the agent. At most
 * {@value #MAX_DATACENTERS} datacenters are watched. A service with no instance (or none passing the health filter) is
 * {@link Addr.Neg} and its lookups answer Neg, so an Alt ({@code dc1/users | dc2/users}) falls through
 * to the next datacenter; {@link #generation()} moves whenever a service enters or leaves that state.
 *
 * <p>A path too short to name a service is Neg, as in Linkerd. A datacenter or label Consul cannot
 * name (not UTF-8, a datacenter other than letters, digits, {@code -} and {@code _}) binds to an
 * {@link Addr.Failed} that says so. While Consul is out of reach or answers garbage, every name keeps
 * its last endpoints and {@link #status()} is stale with the error.
 */
public final class ConsulNamer implements Namer, Closeable {
  /** Where Linkerd mounts this namer unless told otherwise. */
  public static final Path DEFAULT_PREFIX = Path.of("#", "io.l5d.consul");

  static final String LOCAL_DC = ".local";
  private static final Pattern DATACENTER = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Logger LOG = LoggerFactory.getLogger(ConsulNamer.class);
  /** The failure key of the agent lookup, beside the watches' own. */
  private static final Object AGENT = new Object();
  /** Datacenters watched at most: labels are caller-made, and each costs a query. */
  static final int MAX_DATACENTERS = 64;

  private final ConsulSettings settings;
  private final Path prefix;
  private final Clock clock;
  private final ConsulApi api;
  private final HttpClient http;
  private final ScheduledExecutorService threads;
  private final Map<Key, ServiceWatch> watches = new ConcurrentHashMap<>();
  /** Per datacenter (as resolved), the catalog that admits watches. */
  private final Map<String, CatalogGate> gates = new ConcurrentHashMap<>();
  private final NameSetChanges changes = new NameSetChanges("the consul namer");
  /** What is failing now, by watch (or {@link #AGENT}); stale while not empty. */
  private final Map<Object, String> failing = new ConcurrentHashMap<>();
  private final CompletableFuture<Agent> agent = new CompletableFuture<>();
  private final AtomicBoolean agentAsked = new AtomicBoolean();
  private volatile Instant lastUpdate;
  private volatile String lastError;
  private volatile boolean closed;

  public ConsulNamer(ConsulSettings settings, Path prefix) {
    this(settings, prefix, Optional.empty(), Clock.systemUTC());
  }

  /**
   * @param tls when present, the agent is spoken to over HTTPS and its certificate checked as the
   *     block says (Linkerd's namer {@code tls})
   */
  public ConsulNamer(ConsulSettings settings, Path prefix, Optional<ClientTls> tls, Clock clock) {
    settings = tls.isPresent() ? settings.withHttps() : settings;
    this.settings = settings;
    this.prefix = prefix;
    this.clock = clock;
    this.api = new ConsulApi(settings);
    this.threads =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "turnout-consul " + prefix.show());
              t.setDaemon(true);
              return t;
            });
    // The client's own threads only move bytes; parsing and state changes happen on ours.
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    this.http = tls.map(t -> t.applyTo(b)).orElse(b).build();
  }

  public Path mountPrefix() {
    return prefix;
  }

  public ConsulSettings settings() {
    return settings;
  }

  @Override
  public NameTree<Name> lookup(Path path) {
    int size = settings.includeTag() ? 3 : 2;
    if (path.size() < size) {
      return NameTree.neg();
    }
    Path id = prefix.concat(path.take(size));
    String[] labels = new String[size];
    for (int i = 0; i < size; i++) {
      labels[i] = utf8(path.label(i));
      if (labels[i] == null) {
        return failed(id, path.drop(size), "label " + (i + 1) + " of " + id.show() + " is not UTF-8 text");
      }
    }
    String dc = labels[0];
    if (!dc.equals(LOCAL_DC) && !DATACENTER.matcher(dc).matches()) {
      return failed(
          id,
          path.drop(size),
          "io.l5d.consul: " + dc + " in " + id.show()
              + " is not a Consul datacenter name (letters, digits, - and _; or .local)");
    }
    Optional<String> tag = size == 3 ? Optional.of(labels[1].toLowerCase(Locale.ROOT)) : Optional.empty();
    Key key = new Key(dc, tag, labels[size - 1].toLowerCase(Locale.ROOT));
    ServiceWatch watch = watches.get(key);
    if (watch == null) {
      watch =
          watches.computeIfAbsent(
              key,
              k -> {
                ServiceWatch made = new ServiceWatch(this, k);
                start(made);
                return made;
              });
    }
    if (watch.addr.get() instanceof Addr.Neg) {
      return NameTree.neg();
    }
    return NameTree.leaf(new Name.Resolved(new BoundName(id, path.drop(size), watch.addr)));
  }

  /** Each watched service by its id ({@code /#/io.l5d.consul/dc1/users}), with its endpoints now. */
  @Override
  public Map<Path, Addr> names() {
    Map<Path, Addr> out = new java.util.TreeMap<>(java.util.Comparator.comparing(Path::show));
    for (ServiceWatch w : watches.values()) {
      Path id = w.key.tag().isPresent()
          ? prefix.concat(Path.utf8(w.key.dc(), w.key.tag().get(), w.key.service()))
          : prefix.concat(Path.utf8(w.key.dc(), w.key.service()));
      out.put(id, w.addr.get());
    }
    return out;
  }

  private static NameTree<Name> failed(Path id, Path residual, String why) {
    return NameTree.leaf(new Name.Resolved(new BoundName(id, residual, new Var<>(new Addr.Failed(why)))));
  }

  /** A label's bytes as UTF-8, or null when they are not. */
  private static String utf8(String label) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(label.getBytes(StandardCharsets.ISO_8859_1)))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** Starts {@code watch} on the namer's thread, once its datacenter (and domain) are known. */
  private void start(ServiceWatch watch) {
    Key key = watch.key;
    boolean needsAgent = key.dc().equals(LOCAL_DC) || settings.setHost();
    execute(
        () -> {
          if (!needsAgent) {
            watch.begin(key.dc(), Optional.empty());
            return;
          }
          agent()
              .thenAcceptAsync(
                  a -> {
                    String dc = key.dc().equals(LOCAL_DC) ? a.datacenter() : key.dc();
                    Optional<String> authority =
                        settings.setHost()
                            ? Optional.of(
                                key.tag().map(t -> t + ".").orElse("") + key.service() + ".service." + dc + "." + a.domain())
                            : Optional.empty();
                    watch.begin(dc, authority);
                  },
                  threads);
        });
  }

  /** The local agent's datacenter and domain, asked once and retried until it answers. */
  private CompletableFuture<Agent> agent() {
    if (agentAsked.compareAndSet(false, true)) {
      askAgent(0);
    }
    return agent;
  }

  private void askAgent(int failures) {
    if (closed) {
      return;
    }
    http.sendAsync(api.agentSelf(), HttpResponse.BodyHandlers.ofByteArray())
        .whenCompleteAsync(
            (rsp, err) -> {
              try {
                if (err != null) {
                  throw new BadAnswer(describe(err));
                }
                Agent a = api.agentAnswer(rsp);
                failing.remove(AGENT);
                heardNow();
                agent.complete(a);
              } catch (BadAnswer | RuntimeException bad) {
                String why = "asking the consul agent for its datacenter: " + bad.getMessage();
                fail(AGENT, why);
                for (ServiceWatch w : watches.values()) {
                  if (w.addr.get() instanceof Addr.Pending || w.addr.get() instanceof Addr.Failed) {
                    if (w.key.dc().equals(LOCAL_DC) || settings.setHost()) {
                      w.addr.set(new Addr.Failed("io.l5d.consul " + w.key + ": " + why));
                    }
                  }
                }
                long ceiling =
                    Math.min(ServiceWatch.MAX_BACKOFF_MILLIS, ServiceWatch.FIRST_BACKOFF_MILLIS << Math.min(failures + 1, 20));
                later(() -> askAgent(failures + 1), ceiling, TimeUnit.MILLISECONDS);
              }
            },
            threads);
  }

  /** Hands {@code watch} to its datacenter's catalog, which starts it when the service is listed. */
  void admit(ServiceWatch watch, String dc) {
    CatalogGate gate = gates.get(dc);
    if (gate == null) {
      if (gates.size() >= MAX_DATACENTERS) {
        watch.addr.set(
            new Addr.Failed("io.l5d.consul " + watch.key + ": more than " + MAX_DATACENTERS + " datacenters named"));
        return;
      }
      gate =
          gates.computeIfAbsent(
              dc,
              d -> {
                CatalogGate made = new CatalogGate(this, d);
                execute(made::start);
                return made;
              });
    }
    gate.admit(watch);
  }

  /** The catalog does not list {@code watch}'s service (or tag): Neg, without a query of its own. */
  void absent(ServiceWatch watch) {
    heard(watch, new Addr.Neg());
  }

  void heardCatalog(CatalogGate gate) {
    failing.remove(gate);
    heardNow();
  }

  /** The catalog could not be read: names waiting on it that never had an answer take the reason. */
  void failedCatalog(CatalogGate gate, String why, List<ServiceWatch> waiting) {
    fail(gate, why);
    for (ServiceWatch w : waiting) {
      Addr now = w.addr.get();
      if (now instanceof Addr.Pending || now instanceof Addr.Failed) {
        w.addr.set(new Addr.Failed("io.l5d.consul " + w.key + ": " + why));
      }
    }
  }

  /** A good answer for {@code watch}: its endpoints, and the name set's generation if it came or went. */
  void heard(ServiceWatch watch, Addr next) {
    Addr before = watch.addr.get();
    watch.addr.set(next);
    failing.remove(watch);
    heardNow();
    if ((before instanceof Addr.Neg) != (next instanceof Addr.Neg)) {
      changes.changed();
    }
  }

  private void heardNow() {
    lastUpdate = clock.instant();
    if (failing.isEmpty()) {
      lastError = null;
    }
  }

  /** A failed query of {@code watch}: endpoints kept; a name never answered takes the reason. */
  void failed(ServiceWatch watch, String why) {
    fail(watch, why);
    Addr now = watch.addr.get();
    if (now instanceof Addr.Pending || now instanceof Addr.Failed) {
      watch.addr.set(new Addr.Failed("io.l5d.consul " + watch.key + ": " + why));
    }
  }

  private void fail(Object what, String why) {
    // The error first: status() reads stale from the failing set, and must never say stale without why.
    lastError = why;
    if (!why.equals(failing.put(what, why))) {
      LOG.warn("{}: {}", prefix.show(), why);
    }
  }

  String describe(Throwable err) {
    return ServiceWatch.describe(err, settings.base().getAuthority());
  }

  ConsulApi api() {
    return api;
  }

  HttpClient http() {
    return http;
  }

  Executor threads() {
    return threads;
  }

  boolean isClosed() {
    return closed;
  }

  void later(Runnable task, long delay, TimeUnit unit) {
    try {
      threads.schedule(task, delay, unit);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile: nothing more to ask
    }
  }

  private void execute(Runnable task) {
    try {
      threads.execute(task);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  @Override
  public long generation() {
    return changes.generation();
  }

  @Override
  public AutoCloseable onChange(Runnable listener) {
    return changes.onChange(listener);
  }

  @Override
  public Optional<NamerStatus> status() {
    return Optional.of(
        new NamerStatus(
            "consul " + settings.base(),
            Optional.ofNullable(lastUpdate),
            Optional.ofNullable(lastError),
            !failing.isEmpty()));
  }

  /** Stops every query and the namer's thread; bound names keep their last endpoints. */
  @Override
  public void close() {
    closed = true;
    for (ServiceWatch w : watches.values()) {
      w.cancel();
    }
    for (CatalogGate g : gates.values()) {
      g.cancel();
    }
    threads.shutdownNow();
  }
}
