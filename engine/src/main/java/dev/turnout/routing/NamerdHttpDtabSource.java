package dev.turnout.routing;

import dev.turnout.config.InterpreterConfig;
import dev.turnout.config.InterpreterConfig.ControlPlane;
import dev.turnout.naming.Homecoming;
import dev.turnout.naming.Watchdog;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A router's base dtab followed from a control plane over namerd's HTTP API ({@code io.l5d.namerd.http}):
 * the namespace's dtab, and each new version as the control plane's watch stream announces it. Works
 * against a Turnout control plane and against namerd itself, since it uses only namerd's calls:
 *
 * <ol>
 *   <li>{@code GET /api/1/dtabs/NS} with {@code Accept: application/dtab}: the text (comments, and so
 *       mirror rules, kept) and its {@code ETag}, whose namerd in-memory encoding gives the version;
 *   <li>{@code GET /api/1/dtabs/NS?watch=true}: one line per new version. Each line is the signal to
 *       read the dtab again as in 1, so the text and its ETag always come from one answer.
 * </ol>
 *
 * <p>Control planes are tried in the order the config names them, the first preferred. A stream that
 * ends (a control plane stopped, killed, or restarted) moves on to the next at once; while following any
 * but the first, the earlier ones are asked every {@code homeProbe} (15 s by default) whether they
 * answer again, and the first that does is followed again (see {@link Homecoming}); when none answers, the round is tried
 * again after a backoff that doubles from {@code retryBase} to {@code retryMax}. Meanwhile the router
 * keeps routing by the last dtab it had: nothing here ever replaces a good snapshot by nothing. A
 * stream that has said nothing (not even the 30 s keep-alive blank line) for {@link #SILENCE} is taken
 * for dead, so a control plane whose host vanished without closing its connections is left too.
 *
 * <p>A namespace that does not exist routes by the router's own dtab alone (version 0), and is looked
 * for again every {@link #ABSENT_POLL}.
 */
public final class NamerdHttpDtabSource implements DtabSource {
  private static final Logger log = LoggerFactory.getLogger(NamerdHttpDtabSource.class);

  /** How long a watch stream may say nothing before it is taken for dead. */
  static final Duration SILENCE = Watchdog.SILENCE;
  static final Duration ABSENT_POLL = Duration.ofSeconds(1);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

  /** What a fleet report says of this source: whom it follows, what it routes by, when it last heard. */
  public record Status(
      String namespace,
      Optional<String> following,
      long version,
      Optional<String> etag,
      Optional<Instant> lastHeard,
      Optional<String> problem) {}

  private final List<ControlPlane> controlPlanes;
  private final String namespace;
  private final String routerOwnDtab;
  private final Duration retryBase;
  private final Duration retryMax;
  private final Optional<String> authorization;
  private final Clock clock;
  private final HttpClient http;
  /** {@code https} with the interpreter's tls, else {@code http}. */
  private final String scheme;
  private final AtomicReference<RoutingSnapshot> current = new AtomicReference<>();
  private final AtomicReference<Status> status = new AtomicReference<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  /** Completed at the first answer about the namespace (its dtab, or that it does not exist). */
  private final java.util.concurrent.CompletableFuture<Void> ready = new java.util.concurrent.CompletableFuture<>();
  /** The last trouble logged per control plane; cleared when it answers. */
  private final java.util.Map<String, String> lastLogged = new java.util.concurrent.ConcurrentHashMap<>();
  private final Thread thread;
  private final Object wake = new Object();
  private volatile boolean closed;
  private volatile InputStream stream;
  /** The control plane's text now in force (the snapshot's text also holds the router's own dtab). */
  private String installedText = "";
  private volatile long lastHeardNanos = System.nanoTime();
  /** The index of the control plane whose watch stream is open, or -1. */
  private volatile int followingIndex = -1;
  /** Set when an earlier control plane answers again: the stream in use is closed to go back to it. */
  private final java.util.concurrent.atomic.AtomicBoolean homeward = new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.ScheduledFuture<?> homeProbe;

  /**
   * Starts following at once; the router routes by its own dtab until the first answer arrives.
   *
   * @param authorization an {@code Authorization} header value for control planes that want a login
   */
  public NamerdHttpDtabSource(
      InterpreterConfig config, String routerOwnDtab, Optional<String> authorization, Clock clock) {
    this(config, routerOwnDtab, authorization, clock, Optional.empty());
  }

  /**
   * As above, reaching the control planes over HTTPS with {@code tls} when present (the
   * interpreter's {@code tls}, loaded by the caller so that a reloader can watch its files).
   */
  public NamerdHttpDtabSource(
      InterpreterConfig config,
      String routerOwnDtab,
      Optional<String> authorization,
      Clock clock,
      Optional<ClientTls> tls) {
    this(config, routerOwnDtab, authorization, clock, tls, Homecoming.PERIOD);
  }

  /** As above, asking earlier control planes whether they are back every {@code homeProbe}. */
  NamerdHttpDtabSource(
      InterpreterConfig config,
      String routerOwnDtab,
      Optional<String> authorization,
      Clock clock,
      Optional<ClientTls> tls,
      Duration homeProbe) {
    if (!config.followsRemote()) {
      throw new IllegalArgumentException("not a remote interpreter: " + config.kind());
    }
    this.controlPlanes = config.controlPlanes();
    this.namespace = config.namespace();
    this.routerOwnDtab = routerOwnDtab == null ? "" : routerOwnDtab;
    this.retryBase = config.retryBase();
    this.retryMax = config.retryMax();
    this.authorization = authorization;
    this.clock = clock;
    this.scheme = ClientTls.scheme(tls);
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT);
    this.http = tls.map(t -> t.applyTo(b)).orElse(b).build();
    current.set(RoutingSnapshot.of(Optional.of(namespace), 0, "", this.routerOwnDtab));
    status.set(new Status(namespace, Optional.empty(), 0, Optional.empty(), Optional.empty(), Optional.of("connecting")));
    thread = new Thread(this::follow, "turnout-follow-" + namespace);
    thread.setDaemon(true);
    thread.start();
    watchdog = Watchdog.THREAD.scheduleWithFixedDelay(this::checkSilence, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    long probeMillis = homeProbe.toMillis();
    this.homeProbe = Watchdog.THREAD.scheduleWithFixedDelay(
        this::probeHome, probeMillis, probeMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private final java.util.concurrent.ScheduledFuture<?> watchdog;

  @Override
  public RoutingSnapshot current() {
    return current.get();
  }

  public Status status() {
    return status.get();
  }

  @Override
  public java.util.concurrent.CompletionStage<Void> ready() {
    return ready.minimalCompletionStage();
  }

  @Override
  public AutoCloseable onChange(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  // ---- the follower thread ----

  private void follow() {
    Duration backoff = retryBase;
    while (!closed) {
      boolean anyAnswered = false;
      boolean absent = false;
      boolean goneHome = false;
      for (int i = 0; i < controlPlanes.size(); i++) {
        ControlPlane cp = controlPlanes.get(i);
        if (closed) {
          return;
        }
        long heardBefore = lastHeardNanos;
        try {
          followOne(cp, i); // returns only once this source is closed; a stream that ends throws
          return;
        } catch (Absent notThere) {
          absent = true;
          break; // the namespace is simply not there yet; ask the same control plane again
        } catch (IOException | RuntimeException e) {
          if (homeward.getAndSet(false)) {
            log.info("an earlier control plane for namespace {} answers again; leaving {} for it", namespace, cp.authority());
            goneHome = true;
            break;
          }
          // A stream that served for a while and then ended is no reason to back off further.
          anyAnswered |= lastHeardNanos != heardBefore;
          note(cp, e);
        } catch (InterruptedException e) {
          return;
        }
      }
      if (goneHome) {
        continue; // from the first control plane again, at once
      }
      if (absent) {
        pause(ABSENT_POLL);
        backoff = retryBase;
      } else {
        // Every control plane was tried once this round and none is streaming now.
        pause(anyAnswered ? retryBase : backoff);
        backoff = anyAnswered ? retryBase
            : backoff.multipliedBy(2).compareTo(retryMax) > 0 ? retryMax : backoff.multipliedBy(2);
      }
    }
  }

  /** Reads the dtab from {@code cp}, then follows its watch stream until the stream ends. */
  private void followOne(ControlPlane cp, int index) throws IOException, InterruptedException {
    try {
      fetch(cp);
    } catch (Absent absent) {
      // Not there yet: a Turnout control plane's watch stays open and says when it is created;
      // namerd's answers 404 too, and the namespace is then looked for again every ABSENT_POLL.
    }
    // The timeout bounds the wait for the answer's head; the stream itself may then stay open for good.
    HttpRequest watch =
        request(cp, "?watch=true").header("Accept", "application/json").timeout(READ_TIMEOUT).build();
    HttpResponse<InputStream> r = http.send(watch, HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() == 404) {
      r.body().close();
      throw new Absent();
    }
    if (r.statusCode() != 200) {
      r.body().close();
      throw new IOException("watch answered " + r.statusCode());
    }
    stream = r.body();
    followingIndex = index;
    heard();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      String line;
      while (!closed && (line = lines.readLine()) != null) {
        heard();
        if (!line.isBlank()) {
          fetch(cp); // the line names a new version; read its text and ETag together
        }
      }
    } finally {
      stream = null;
      followingIndex = -1;
    }
    if (!closed) {
      throw new IOException("the watch stream ended");
    }
  }

  /** Reads the namespace's text and ETag from {@code cp} and puts them in force. */
  private void fetch(ControlPlane cp) throws IOException, InterruptedException {
    HttpRequest get =
        request(cp, "").header("Accept", "application/dtab").timeout(READ_TIMEOUT).build();
    HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (r.statusCode() == 404) {
      install(cp, 0, Optional.empty(), "");
      throw new Absent();
    }
    if (r.statusCode() != 200) {
      throw new IOException("GET of the dtab answered " + r.statusCode() + ": " + firstLine(r.body()));
    }
    Optional<String> etag = r.headers().firstValue("ETag");
    install(cp, etag.flatMap(NamerdHttpDtabSource::versionOf).orElse(-1L), etag, r.body());
  }

  private void install(ControlPlane cp, long version, Optional<String> etag, String text) {
    heard();
    if (lastLogged.remove(cp.authority()) != null) {
      log.info("control plane {} for namespace {} answers again", cp.authority(), namespace);
    }
    RoutingSnapshot before = current.get();
    boolean changed = before.version() != version || !text.equals(installedText) || version < 0;
    if (changed) {
      try {
        current.set(RoutingSnapshot.of(Optional.of(namespace), version, text, routerOwnDtab));
        installedText = text;
      } catch (IllegalArgumentException e) {
        // A control plane validates before it commits; keep the last good routes if this one does not parse.
        log.warn("namespace {} from {} does not parse here, keeping the previous routes: {}",
            namespace, cp.authority(), e.getMessage());
        // What is reported is the version still in force, so the fleet does not count this proxy as on
        // the one it refused.
        status.set(statusWith(cp, before.version(), status.get().etag(),
            Optional.of("version " + version + " of the dtab does not parse here: " + e.getMessage())));
        ready.complete(null); // heard, and refused: the router routes by its own dtab, and says why
        return;
      }
    }
    status.set(statusWith(cp, version, etag, Optional.empty()));
    if (changed) {
      for (Runnable l : listeners) {
        try {
          l.run();
        } catch (RuntimeException e) {
          // One listener's failure must not keep the change from the others, nor count against the
          // control plane: the routes are already in force.
          log.warn("a listener of namespace {} failed on version {}: {}", namespace, version, e.toString());
        }
      }
    }
    // Last: a router opened by this finds the routes in force and its listeners told.
    ready.complete(null);
  }

  private Status statusWith(ControlPlane cp, long version, Optional<String> etag, Optional<String> problem) {
    return new Status(namespace, Optional.of(cp.authority()), version, etag, Optional.of(clock.instant()), problem);
  }

  private void note(ControlPlane cp, Exception e) {
    Status s = status.get();
    String why = cp.authority() + ": " + describe(e);
    // Logged when a control plane's trouble changes, not on every round of retries.
    if (!why.equals(lastLogged.put(cp.authority(), why))) {
      log.info("control plane {} for namespace {}: {}", cp.authority(), namespace, describe(e));
    }
    status.set(new Status(namespace, Optional.empty(), s.version(), s.etag(), s.lastHeard(), Optional.of(why)));
  }

  private HttpRequest.Builder request(ControlPlane cp, String query) {
    URI uri =
        URI.create(scheme + "://" + cp.authority() + "/api/1/dtabs/"
            + URLEncoder.encode(namespace, StandardCharsets.UTF_8) + query);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
    authorization.ifPresent(a -> b.header("Authorization", a));
    return b;
  }

  private void heard() {
    lastHeardNanos = System.nanoTime();
  }

  /**
   * While following any but the first control plane, asks the earlier ones whether they answer; when
   * one does, closes the stream in use so that the follower starts again from the first.
   */
  private void probeHome() {
    int k = followingIndex;
    if (closed || k <= 0 || !probing.compareAndSet(false, true)) {
      return;
    }
    List<URI> earlier = new java.util.ArrayList<>(k);
    for (ControlPlane cp : controlPlanes.subList(0, k)) {
      earlier.add(request(cp, "").build().uri());
    }
    Homecoming.firstAnswering(http, earlier, authorization).whenComplete((answering, e) -> {
      probing.set(false);
      if (answering != null && answering.isPresent() && followingIndex == k && !closed) {
        homeward.set(true);
        InputStream s = stream;
        if (s != null) {
          Watchdog.closeQuietly(s);
        }
      }
    });
  }

  /** Closes a stream that has been silent for longer than {@link #SILENCE}; the follower then moves on. */
  private void checkSilence() {
    InputStream s = stream;
    if (s != null && System.nanoTime() - lastHeardNanos > SILENCE.toNanos()) {
      log.info("the watch of namespace {} has been silent for {} s; reconnecting", namespace, SILENCE.toSeconds());
      Watchdog.closeQuietly(s);
    }
  }

  private void pause(Duration d) {
    synchronized (wake) {
      if (!closed) {
        try {
          wake.wait(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          closed = true;
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    watchdog.cancel(false);
    homeProbe.cancel(false);
    synchronized (wake) {
      wake.notifyAll();
    }
    InputStream s = stream;
    if (s != null) {
      Watchdog.closeQuietly(s);
    }
    thread.interrupt();
  }

  /** The version a namerd in-memory ETag encodes (8 bytes, big-endian, base64); empty for others. */
  static Optional<Long> versionOf(String etag) {
    return dev.turnout.store.ETags.version(etag);
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The namespace does not exist on the control plane (404). */
  private static final class Absent extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Absent() {
      super("namespace absent", null, false, false);
    }
  }
}
