package dev.turnout.naming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import dev.turnout.tls.ClientTls;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names under {@code /#} that no namer of this process knows, bound by the control plane instead,
 * as Linkerd 1's {@code io.l5d.namerd.http} interpreter leaves every name to namerd: a proxy following
 * a control plane whose dtab says {@code /svc => /#/io.l5d.fs} needs no fs namer of its own, and one
 * following a real namerd reaches whatever namers namerd runs ({@code /#/io.l5d.k8s/...}).
 *
 * <p>A name is asked for with namerd's {@code GET /api/1/bind/NS?path=/#/...&watch=true}; each line
 * the control plane streams (the bound tree: id, residual, addresses, or neg) replaces the last. The
 * first lookup of a name answers at once with a pending address, which a request waits for up to its
 * router's binding timeout, as it waits for a host name being resolved. Once an id is known, a longer
 * path under it ({@code /#/io.l5d.fs/users/v2} under {@code /#/io.l5d.fs/users}) is answered from it,
 * with the rest as residual, without a stream of its own, so the streams number the bound ids, not the
 * request paths; at most {@link #MAX_NAMES} are open. When all are taken, a name the control plane
 * answered Neg (a caller can make names up), or else one not asked for in {@link #IDLE}, makes room;
 * only when none can is a new name Neg (logged once).
 * A stream that breaks is reopened on the next control plane; what it last said stays in force. A
 * stream silent for longer than {@link Watchdog#SILENCE} (a control plane's JSON streams
 * carry a blank line every 30 s) is taken for broken too: a host that vanished without closing its
 * connections would otherwise hold the read for good.
 */
public final class ControlPlaneNamer implements Namer, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlaneNamer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where this namer is mounted. */
  public static final Path PREFIX = Path.of("#");

  static final int MAX_NAMES = 64;
  /** A routable name not asked for in this long may make room for a new one. */
  static final Duration IDLE = Duration.ofMinutes(1);
  private static final Duration RETRY = Duration.ofSeconds(1);

  /** Each control plane as {@code host:port}, in the order they are tried. */
  private final List<String> controlPlanes;
  private final String namespace;
  private final Optional<String> authorization;
  private final HttpClient http;
  /** {@code https} when the control planes are reached over TLS, else {@code http}. */
  private final String scheme;
  /** Per path asked for: the control plane's latest answer. */
  private final Map<Path, Watched> names = new ConcurrentHashMap<>();
  /** Per bound id: its addresses, shared by every path under it. */
  private final Map<Path, Var<Addr>> addrs = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  /** When a control plane last answered any binding, the latest failure, and whether the last round of them all failed. */
  private volatile java.time.Instant lastAnswer;
  private volatile String lastError;
  private volatile boolean outOfReach;
  private volatile boolean warnedFull;
  private final Duration silence;
  private final java.util.concurrent.ScheduledFuture<?> watchdog;

  public ControlPlaneNamer(List<String> controlPlanes, String namespace, Optional<String> authorization) {
    this(controlPlanes, namespace, authorization, Optional.empty());
  }

  /** As above, over HTTPS with {@code tls} when present (the following router's interpreter tls). */
  public ControlPlaneNamer(
      List<String> controlPlanes, String namespace, Optional<String> authorization, Optional<ClientTls> tls) {
    this(controlPlanes, namespace, authorization, Watchdog.SILENCE, tls);
  }

  ControlPlaneNamer(List<String> controlPlanes, String namespace, Optional<String> authorization, Duration silence) {
    this(controlPlanes, namespace, authorization, silence, Optional.empty());
  }

  ControlPlaneNamer(
      List<String> controlPlanes,
      String namespace,
      Optional<String> authorization,
      Duration silence,
      Optional<ClientTls> tls) {
    this(controlPlanes, namespace, authorization, silence, tls, Homecoming.PERIOD);
  }

  /**
   * As above, giving up a stream after {@code silence} without a line, and asking earlier control
   * planes whether they are back every {@code homeProbe} (tests use short ones).
   */
  ControlPlaneNamer(
      List<String> controlPlanes,
      String namespace,
      Optional<String> authorization,
      Duration silence,
      Optional<ClientTls> tls,
      Duration homeProbe) {
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1));
    this.http = tls.map(t -> t.applyTo(b)).orElse(b).build();
    this.scheme = ClientTls.scheme(tls);
    this.controlPlanes = List.copyOf(controlPlanes);
    this.namespace = namespace;
    this.authorization = authorization;
    this.silence = silence;
    long every = Math.max(10, Math.min(1000, silence.toMillis() / 4));
    this.watchdog = Watchdog.THREAD.scheduleWithFixedDelay(
        () -> names.values().forEach(Watched::closeIfSilent), every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    long probe = homeProbe.toMillis();
    this.homeProbe = Watchdog.THREAD.scheduleWithFixedDelay(
        this::probeHome, probe, probe, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private final java.util.concurrent.ScheduledFuture<?> homeProbe;
  private final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * While any name is followed on a control plane other than the first, asks the earlier ones whether
   * they answer; the names on a later one than the first that does are moved back to it.
   */
  private void probeHome() {
    int furthest = 0;
    for (Watched w : names.values()) {
      furthest = Math.max(furthest, w.index);
    }
    if (closed || furthest <= 0 || !probing.compareAndSet(false, true)) {
      return;
    }
    List<URI> earlier = new java.util.ArrayList<>(furthest);
    for (String cp : controlPlanes.subList(0, furthest)) {
      earlier.add(URI.create(scheme + "://" + cp + "/api/1/dtabs/" + URLEncoder.encode(namespace, StandardCharsets.UTF_8)));
    }
    Homecoming.firstAnswering(http, earlier, authorization).whenComplete((answering, e) -> {
      probing.set(false);
      if (answering == null || answering.isEmpty() || closed) {
        return;
      }
      for (Watched w : names.values()) {
        if (w.index > answering.getAsInt()) {
          w.goHome();
        }
      }
    });
  }

  @Override
  public NameTree<Name> lookup(Path rest) {
    Path path = PREFIX.concat(rest);
    Watched w = names.get(path);
    if (w != null) {
      w.lastAskedNanos = System.nanoTime();
      return w.tree;
    }
    Optional<NameTree<Name>> underKnownId = underKnownId(path);
    if (underKnownId.isPresent()) {
      return underKnownId.get();
    }
    if (names.size() >= MAX_NAMES && !dropOne()) {
      if (!warnedFull) {
        warnedFull = true;
        log.warn("{} names are already bound through the control plane; {} and later ones are Neg", MAX_NAMES, path.show());
      }
      return NameTree.neg();
    }
    Watched fresh = new Watched(path);
    Watched raced = names.putIfAbsent(path, fresh);
    if (raced != null) {
      return raced.tree;
    }
    fresh.start();
    return fresh.tree;
  }

  /**
   * Makes room for a new name by dropping one watched name: the least recently asked of those the
   * control plane answered Neg (a caller can make up any number of names, and each would otherwise
   * hold a stream for good and leave the names deployed later unroutable), else the least recently
   * asked one not asked for in {@link #IDLE}. False when every name is live and routable. A dropped
   * name is watched again when next asked for; callers are told, so none keeps its binding.
   */
  private boolean dropOne() {
    long now = System.nanoTime();
    Watched victim = null;
    for (Watched w : names.values()) {
      boolean better = victim == null
          || (w.isNeg() && !victim.isNeg())
          || (w.isNeg() == victim.isNeg() && w.lastAskedNanos < victim.lastAskedNanos);
      if (better && (w.isNeg() || now - w.lastAskedNanos > IDLE.toNanos())) {
        victim = w;
      }
    }
    if (victim == null || !names.remove(victim.path, victim)) {
      return false;
    }
    victim.drop();
    changed();
    return true;
  }

  /** A path under an id some answer named: that id, the rest of the path as residual. */
  private Optional<NameTree<Name>> underKnownId(Path path) {
    for (Map.Entry<Path, Var<Addr>> e : addrs.entrySet()) {
      Path id = e.getKey();
      if (path.size() > id.size() && path.startsWith(id)) {
        return Optional.of(NameTree.leaf(new Name.Resolved(new BoundName(id, path.drop(id.size()), e.getValue()))));
      }
    }
    return Optional.empty();
  }

  @Override
  public long generation() {
    return generation.get();
  }

  @Override
  public AutoCloseable onChange(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void changed() {
    generation.incrementAndGet();
    for (Runnable l : listeners) {
      l.run();
    }
  }

  /** One name followed by its own watch stream. */
  private final class Watched {
    final Path path;
    final Var<Addr> first = new Var<>(new Addr.Pending());
    volatile NameTree<Name> tree;
    private volatile InputStream stream;
    private volatile long lastHeardNanos;
    volatile long lastAskedNanos = System.nanoTime();
    private volatile boolean dropped;
    /** The index of the control plane whose stream is open, or -1. */
    volatile int index = -1;
    private volatile boolean homeward;

    Watched(Path path) {
      this.path = path;
      this.tree = NameTree.leaf(new Name.Resolved(new BoundName(path, Path.EMPTY, first)));
    }

    void start() {
      Thread t = new Thread(this::follow, "turnout-bind-" + path.show());
      t.setDaemon(true);
      t.start();
    }

    /** Whether the control plane's last answer for this name is that it does not exist. */
    boolean isNeg() {
      return tree instanceof NameTree.Neg<Name> || first.get() instanceof Addr.Neg;
    }

    /** Stops following this name (it made room for another). */
    void drop() {
      dropped = true;
      close();
    }

    /** Closes the stream in use so the name is followed from the first control plane again. */
    void goHome() {
      homeward = true;
      InputStream s = stream;
      if (s != null) {
        Watchdog.closeQuietly(s);
      }
    }

    private void follow() {
      while (!closed && !dropped) {
        boolean answered = false;
        boolean goneHome = false;
        for (int i = 0; i < controlPlanes.size(); i++) {
          String cp = controlPlanes.get(i);
          if (closed || dropped) {
            return;
          }
          try {
            watch(cp, i);
            answered = true;
          } catch (IOException | RuntimeException e) {
            if (!homeward) {
              lastError = cp + ": " + e;
              log.debug("binding {} on {}: {}", path.show(), cp, e.toString());
            }
          } catch (InterruptedException e) {
            return;
          }
          if (homeward) {
            homeward = false;
            goneHome = true;
            log.info("an earlier control plane answers again; following {} there", path.show());
            break;
          }
        }
        if (goneHome) {
          continue;
        }
        outOfReach = !answered;
        if (!answered && first.get() instanceof Addr.Pending) {
          first.set(new Addr.Failed("no control plane answered for " + path.show()));
        }
        synchronized (this) {
          try {
            wait(RETRY.toMillis());
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    private void watch(String cp, int cpIndex) throws IOException, InterruptedException {
      URI uri = URI.create(scheme + "://" + cp + "/api/1/bind/" + URLEncoder.encode(namespace, StandardCharsets.UTF_8)
          + "?watch=true&path=" + URLEncoder.encode(path.show(), StandardCharsets.UTF_8));
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).header("Accept", "application/json");
      authorization.ifPresent(a -> b.header("Authorization", a));
      HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        r.body().close();
        throw new IOException("bind answered " + r.statusCode());
      }
      lastHeardNanos = System.nanoTime();
      lastAnswer = java.time.Instant.now();
      outOfReach = false;
      stream = r.body();
      index = cpIndex;
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        String line;
        while (!closed && !dropped && (line = lines.readLine()) != null) {
          lastHeardNanos = System.nanoTime();
          if (!line.isBlank()) {
            heard(line);
          }
        }
      } finally {
        stream = null;
        index = -1;
      }
    }

    /** Closes the stream when it has said nothing, not even a blank line, for too long. */
    void closeIfSilent() {
      InputStream s = stream;
      if (s != null && System.nanoTime() - lastHeardNanos > silence.toNanos()) {
        log.info("the binding of {} has been silent for {} ms; trying the next control plane", path.show(), silence.toMillis());
        Watchdog.closeQuietly(s);
      }
    }

    /** Puts a line of the stream in force. */
    private void heard(String line) throws IOException {
      JsonNode node = JSON.readTree(line);
      if (!node.isObject() || !node.has("type")) {
        // namerd ends a stream whose binding failed with a line saying why
        first.set(new Addr.Failed(line));
        return;
      }
      NameTree<Name> next = tree(node);
      boolean sameShape = sameShape(tree, next);
      if (next instanceof NameTree.Leaf<Name> leaf && leaf.value() instanceof Name.Resolved res) {
        first.set(res.bound().addr().get());
      } else if (next instanceof NameTree.Neg<Name>) {
        first.set(new Addr.Neg());
      }
      tree = next;
      if (!sameShape) {
        changed();
      }
    }

    void close() {
      InputStream s = stream;
      if (s != null) {
        Watchdog.closeQuietly(s);
      }
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /**
   * The control planes, when one last answered, and stale while none does (the names keep what they
   * were last told).
   */
  @Override
  public Optional<NamerStatus> status() {
    return Optional.of(new NamerStatus(
        "control planes " + String.join(", ", controlPlanes) + " (namespace " + namespace + ")",
        Optional.ofNullable(lastAnswer), Optional.ofNullable(lastError), outOfReach && !names.isEmpty()));
  }

  @Override
  public Map<Path, Addr> names() {
    Map<Path, Addr> out = new java.util.TreeMap<>(java.util.Comparator.comparing(Path::show));
    for (Watched w : names.values()) {
      out.put(w.path, w.first.get());
    }
    return out;
  }

  /** The same ids and residuals in the same places: only addresses changed, which their Vars carry. */
  private static boolean sameShape(NameTree<Name> a, NameTree<Name> b) {
    return a.map(ControlPlaneNamer::shape).equals(b.map(ControlPlaneNamer::shape));
  }

  private static String shape(Name n) {
    return n instanceof Name.Resolved r ? r.bound().id().show() + "+" + r.bound().residual().show() : n.toString();
  }

  /** A bound tree in namerd's JSON, as the bind API writes it. */
  private NameTree<Name> tree(JsonNode n) {
    switch (n.path("type").asText()) {
      case "leaf": {
        JsonNode bound = n.path("bound");
        Path id = Path.read(bound.path("id").asText());
        String residual = bound.path("path").asText("/");
        Var<Addr> var = addrs.computeIfAbsent(id, k -> new Var<>(new Addr.Pending()));
        var.set(addr(bound.path("addr")));
        return NameTree.leaf(new Name.Resolved(new BoundName(id, Path.read(residual), var)));
      }
      case "union": {
        List<NameTree.Weighted<Name>> branches = new ArrayList<>();
        for (Iterator<JsonNode> it = n.path("union").elements(); it.hasNext(); ) {
          JsonNode w = it.next();
          branches.add(new NameTree.Weighted<>(w.path("weight").asDouble(1.0), tree(w.path("tree"))));
        }
        return new NameTree.Union<>(branches);
      }
      case "fail":
        return NameTree.fail();
      case "empty":
        return NameTree.empty();
      default:
        return NameTree.neg();
    }
  }

  private static Addr addr(JsonNode a) {
    switch (a.path("type").asText()) {
      case "bound": {
        List<Address> out = new ArrayList<>();
        for (Iterator<JsonNode> it = a.path("addrs").elements(); it.hasNext(); ) {
          JsonNode e = it.next();
          out.add(new Address(e.path("ip").asText(), e.path("port").asInt()));
        }
        return new Addr.Bound(out);
      }
      case "neg":
        return new Addr.Neg();
      case "pending":
        return new Addr.Pending();
      default:
        return new Addr.Failed(a.path("message").asText("the control plane could not resolve it"));
    }
  }

  @Override
  public void close() {
    closed = true;
    watchdog.cancel(false);
    homeProbe.cancel(false);
    names.values().forEach(Watched::close);
  }
}
