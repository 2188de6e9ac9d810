package dev.turnout.app;

import dev.turnout.config.RouterConfig;
import dev.turnout.dtab.Path;
import dev.turnout.metrics.Nanos;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.proxy.IoThreads;
import dev.turnout.proxy.ProxyServer;
import dev.turnout.proxy.RunningProxy;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.routing.DtabSources;
import dev.turnout.store.JdbcDtabStore;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLSocketFactory;

/**
 * Runs the proxy's own request path hot before real traffic reaches it. A JVM starts slow: until the
 * JIT compiler has seen the request path run many thousands of times, a request costs about three
 * times its steady-state CPU, and on a busy two-core machine the compiler needs tens of seconds of live
 * traffic to catch up, so the first half-minute after every restart or deploy answers slowly. Here
 * that half-minute happens before the proxy's ports open, on loopback only: a throwaway copy of the
 * first router (its identifier, classifier and client settings, a dtab pointing at a loopback
 * backend) takes requests from local connections ({@link WarmCaller}) until the compiler goes quiet
 * or the time budget is spent, in up to three rounds, each on a fresh copy (see {@link
 * #run(RouterConfig, Duration, IoThreads)}). It runs on the IO threads the real proxy then opens on
 * ({@link IoThreads}); its metrics, pools, backend and callers are its own and are closed when it ends.
 */
final class Warmup {
  /** At least this long, so the compiler has queued the hot path before quiet is judged. */
  static final Duration MIN = Duration.ofSeconds(3);
  /** The compiler counts as quiet when it spent less than this in the last second. */
  static final long QUIET_COMPILE_MS = 15;
  /**
   * Plaintext callers per round for each IO thread (at least two threads' worth, at most {@link
   * #MOST_CONNECTIONS} in all): with the backend connection each one keeps busy, an IO thread then
   * finds more connections ready at once than XNIO's loop holds room for at first (16), as under real
   * load. Compiled code that never saw that is thrown out by the first busy second of real traffic;
   * with 4 callers a thread (8 in all) it was. More callers cost memory: after the same load the whole
   * process held about 2 MiB more with 24 than with 8, 3 with 40.
   */
  private static final int CONNECTIONS_PER_IO_THREAD = 12;
  private static final int MOST_CONNECTIONS = 64;
  /** Callers per round over TLS, whose first handshakes, run cold at both ends, take a second or more. */
  private static final int TLS_CONNECTIONS = 8;
  /** Where each round (with fresh parts) ends at the latest, as shares of the budget. */
  private static final double[] ROUND_ENDS = {0.6, 0.85, 1.0};
  /**
   * The Host headers the warm-up sends: a name, a name with a port, an address with a port (the last two
   * as a caller of the default proxy port would write them; Undertow checks names and addresses apart).
   */
  static final String[] HOSTS = {"warmup", "warmup:4140", "127.0.0.1:4140"};
  /** Answer bodies of a few lengths, so their Content-Length values have one to three digits. */
  private static final byte[][] BODIES = {
    "warm\n".getBytes(StandardCharsets.US_ASCII), new byte[19], new byte[230],
  };
  private static final byte[] LARGER = new byte[4096];
  /** How long the loopback backend keeps a connection with no request on it. */
  private static final int BACKEND_IDLE_MILLIS = 5_000;

  /**
   * What a warm-up did: requests answered, 200s among them, connections that failed (a refused or
   * broken connection, an answer that could not be read), rounds run, and how long it took; and, for a
   * router that speaks TLS, the TLS handshakes done: the copy's server with the warm-up's callers
   * ({@code serverHandshakes}, when a router server has {@code tls}) and the copy's client with the
   * loopback backend ({@code clientHandshakes}, when a client speaks TLS), and the requests the backend
   * answered over TLS.
   */
  public record Result(
      long requests, long ok, long broken, int rounds, Duration took,
      long serverHandshakes, long clientHandshakes, long tlsBackendAnswers) {
    public Result(long requests, long ok, long broken, int rounds, Duration took) {
      this(requests, ok, broken, rounds, took, 0, 0, 0);
    }
  }

  private Warmup() {}

  /**
   * Sends loopback traffic through copies of {@code router} on {@code threads} for at most {@code
   * budget}. Returns at once with nothing done for a zero budget. The threads stay open: the real proxy
   * is meant to run on them next.
   */
  public static Result run(RouterConfig router, Duration budget, IoThreads threads) {
    return run(router, List.of(router), budget, threads, Nanos.SYSTEM);
  }

  /**
   * As above, the copy served over TLS when a server of any of {@code routers} (the process's routers,
   * {@code router} among them) has {@code tls}: the warm-up runs the TLS paths the config uses.
   */
  public static Result run(RouterConfig router, List<RouterConfig> routers, Duration budget, IoThreads threads) {
    return run(router, routers, budget, threads, Nanos.SYSTEM);
  }

  static Result run(RouterConfig router, Duration budget, IoThreads threads, LongSupplier nanos) {
    return run(router, List.of(router), budget, threads, nanos);
  }

  static Result run(
      RouterConfig router, List<RouterConfig> routers, Duration budget, IoThreads threads, LongSupplier nanos) {
    if (budget.isZero() || budget.isNegative()) {
      return new Result(0, 0, 0, 0, Duration.ZERO);
    }
    if (!router.interpreter().usesStore()) {
      return run(router, routers, budget, DtabSources.offline(Optional.empty()), threads, nanos);
    }
    // The real router reads its dtab from the store: so does the copy, from a throwaway store in
    // memory, so the compiled code is the code real requests take (a different kind of source would
    // be compiled in, then thrown out at the first real request).
    try (JdbcDtabStore scratch = JdbcDtabStore.open("jdbc:h2:mem:turnout-warmup-" + System.nanoTime())) {
      return run(router, routers, budget, DtabSources.offline(Optional.of(scratch)), threads, nanos);
    }
  }

  private static Result run(
      RouterConfig router,
      List<RouterConfig> routers,
      Duration budget,
      Function<RouterConfig, DtabSource> sources,
      IoThreads threads,
      LongSupplier nanos) {
    long start = nanos.getAsLong();
    long end = start + budget.toNanos();
    AtomicLong answered = new AtomicLong();
    Counts counts = new Counts();
    // the backend's TLS connections seen so far, each one a handshake of the copy's client
    Set<Object> tlsBackendConnections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    WarmTls tls = WarmTls.of(router, routers);
    // On the proxy's own threads and buffers (see IoThreads.serverBuilder). Undertow would add
    // Connection: keep-alive to every answer: answerHeaders decides. A connection the copy's client
    // leaves open ends by itself once idle, as it outlives the backend's stopping.
    Undertow.Builder backendBuilder =
        threads
            .serverBuilder()
            .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, BACKEND_IDLE_MILLIS);
    io.undertow.server.HttpHandler answer = ex -> {
              // Backends end keep-alive connections now and then (nginx after 1000 requests): the
              // proxy's reconnecting is part of its everyday path.
              if (ex.getConnection().getSslSessionInfo() != null) {
                counts.tlsAnswers.increment();
                if (tlsBackendConnections.add(ex.getConnection())) {
                  counts.clientHandshakes.increment();
                }
              }
              long n = answered.incrementAndGet();
              if (n % 200 == 0) {
                ex.setPersistent(false);
              }
              answerHeaders(ex.getResponseHeaders(), n);
              ex.getResponseSender().send(ByteBuffer.wrap(ex.getQueryString().isEmpty() ? body(n) : LARGER));
            };
    Undertow backend =
        (tls.backend().isPresent()
                ? backendBuilder.addHttpsListener(0, "127.0.0.1", tls.backend().get(), answer)
                : backendBuilder.addHttpListener(0, "127.0.0.1", answer))
            .build();
    int rounds = 0;
    try {
      backend.start();
      int backendPort = ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
      RouterConfig copy =
          router
              .withDtab(loopbackDtab(router, backendPort))
              // TLS as the router speaks it, on a throwaway certificate (see WarmTls)
              .withServers(List.of(tls.server()))
              .withClient(tls.client(router.client()))
              // the warm-up's own requests are no one's to read in the router's access log
              .withAccessLog(java.util.Optional.empty());
      // The first round compiles the request path. Real traffic then meets a router, figures and pools
      // that are all new, and takes branches the first round took only once, interpreted (a first
      // latency sample, a first pooled connection, a histogram's first value); compiled code that never
      // saw them is thrown out when they come. So further rounds start over with fresh parts on the same
      // threads, until one makes the compiler no work at all.
      // A round ends when the compiler is quiet or at its share of the budget, whichever comes first:
      // on two busy cores the compiler may not be quiet within the budget at all, and the fresh parts
      // of the later rounds matter more than more of the same traffic.
      while (rounds < ROUND_ENDS.length
          && nanos.getAsLong() < end
          && !Thread.currentThread().isInterrupted()) {
        Duration min = rounds == 0 ? MIN : Duration.ZERO;
        long roundEnd = start + (long) (budget.toNanos() * ROUND_ENDS[rounds]);
        Quiet quiet = round(copy, sources, threads, counts, min, roundEnd, nanos, tls.callers());
        rounds++;
        if (rounds > 1 && quiet.reached() && quiet.busySeconds() == 0) {
          break; // fresh parts gave the compiler nothing to do: the path is compiled as real traffic needs
        }
      }
    } finally {
      backend.stop();
      tls.close();
    }
    return new Result(
        counts.requests.sum(),
        counts.ok.sum(),
        counts.broken.sum(),
        rounds,
        Duration.ofNanos(nanos.getAsLong() - start),
        counts.serverHandshakes.sum(),
        counts.clientHandshakes.sum(),
        counts.tlsAnswers.sum());
  }

  /** What every round's callers add to. */
  static final class Counts {
    final LongAdder requests = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder broken = new LongAdder();
    final LongAdder serverHandshakes = new LongAdder();
    final LongAdder clientHandshakes = new LongAdder();
    final LongAdder tlsAnswers = new LongAdder();
  }

  /**
   * How a round's wait ended: whether the compiler was judged quiet (two whole quiet seconds) rather than
   * the round running out of time, and how many seconds it was busy.
   */
  private record Quiet(boolean reached, int busySeconds) {}

  /**
   * One round: a fresh proxy for {@code copy} with fresh (started) figures, and callers sending to it
   * until the compiler is quiet or the round's end. Says how the wait ended.
   */
  private static Quiet round(
      RouterConfig copy,
      Function<RouterConfig, DtabSource> sources,
      IoThreads threads,
      Counts counts,
      Duration min,
      long end,
      LongSupplier nanos,
      Optional<SSLSocketFactory> callerTls) {
    // Started, so its once-a-second tick is compiled too.
    ProxyMetrics metrics = new ProxyMetrics();
    RunningProxy proxy = null;
    List<Thread> callers = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean closing = new AtomicBoolean();
    try {
      metrics.start();
      proxy = ProxyServer.startOnLentThreads(List.of(copy), new Interpreter(List.of()), sources, metrics, threads);
      int port = proxy.listeners().get(0).port();
      int connections =
          callerTls.isPresent()
              ? TLS_CONNECTIONS
              : Math.min(MOST_CONNECTIONS, CONNECTIONS_PER_IO_THREAD * Math.max(2, threads.ioThreadCount()));
      for (int i = 0; i < connections; i++) {
        Thread t =
            new Thread(() -> WarmCaller.call(port, stop, closing, counts, callerTls), "turnout-warmup-" + i);
        t.setDaemon(true);
        t.start();
        callers.add(t);
      }
      return waitForQuiet(nanos.getAsLong(), min, end, nanos, () -> readFigures(metrics));
    } finally {
      stop.set(true);
      // Each caller finishes the request it is waiting for (a cold round's first ones take long), for
      // two seconds in all; a caller still waiting then (over TLS it may wait for 10 s) sees its
      // connection end when the copy closes, and what it reads from the closing copy is not counted.
      long joinEnd = System.nanoTime() + 2_000_000_000L;
      for (Thread t : callers) {
        try {
          t.join(Math.max(1, (joinEnd - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      closing.set(true);
      if (proxy != null) {
        proxy.close(Duration.ZERO);
      }
      for (Thread t : callers) {
        try {
          t.join(2_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      metrics.close();
    }
  }

  /**
   * Sends every name the router's identifiers can produce to the loopback backend. A prefix that would
   * also match the backend's own name ({@code /}, {@code /$}) would rewrite it again and again, so under
   * such a prefix only the names the warm-up's requests get are sent there.
   */
  static String loopbackDtab(RouterConfig router, int port) {
    String target = "/$/inet/127.0.0.1/" + port;
    Path targetPath = Path.read(target);
    Set<Path> prefixes = new LinkedHashSet<>();
    prefixes.add(router.dstPrefix());
    for (var id : router.identifiers()) {
      if (id.prefix() != null) {
        prefixes.add(id.prefix());
      }
    }
    StringBuilder dtab = new StringBuilder();
    for (Path p : prefixes) {
      if (targetPath.startsWith(p)) {
        String base = p.isEmpty() ? "" : p.show();
        for (String host : HOSTS) {
          dtab.append(base).append('/').append(host).append(" => ").append(target).append(";\n");
        }
      } else {
        dtab.append(p.show()).append(" => ").append(target).append(";\n");
      }
    }
    return dtab.toString();
  }

  /**
   * Reads the round's figures the ways a running process does (the fleet report's and dashboard's view,
   * the flat JSON, the Prometheus text), so the code that merges and reads their histograms is compiled
   * for figures that requests wrote, rather than when the first real ones are read.
   */
  private static void readFigures(ProxyMetrics metrics) {
    metrics.view().routers();
    metrics.flat();
    metrics.registry().scrape();
  }

  /**
   * Returns at {@code end}, or after {@code min} once the JIT compiler spent less than {@link
   * #QUIET_COMPILE_MS} in each of the last two whole seconds (where the JVM reports compile time at
   * all); runs {@code eachSecond} after each second. A stretch shorter than a second before {@code end}
   * can count as busy but never as quiet.
   */
  private static Quiet waitForQuiet(
      long from, Duration min, long end, LongSupplier nanos, Runnable eachSecond) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
    long minEnd = from + min.toNanos();
    long lastCompile = timed ? jit.getTotalCompilationTime() : 0;
    int quietSeconds = 0;
    int busySeconds = 0;
    while (nanos.getAsLong() < end && !Thread.currentThread().isInterrupted()) {
      long next = nanos.getAsLong() + 1_000_000_000L;
      boolean whole = next <= end;
      next = Math.min(end, next);
      while (nanos.getAsLong() < next && !Thread.currentThread().isInterrupted()) {
        java.util.concurrent.locks.LockSupport.parkNanos(next - nanos.getAsLong());
      }
      eachSecond.run();
      if (!timed) {
        busySeconds++;
        continue;
      }
      long compile = jit.getTotalCompilationTime();
      // Compiles come in bursts: one quiet second is not the end of them.
      if (compile - lastCompile >= QUIET_COMPILE_MS) {
        quietSeconds = 0;
        busySeconds++;
      } else if (whole) {
        quietSeconds++;
      }
      lastCompile = compile;
      if (quietSeconds >= 2 && nanos.getAsLong() >= minEnd) {
        return new Quiet(true, busySeconds);
      }
    }
    return new Quiet(false, busySeconds);
  }

  /** The body of the {@code n}th plain answer. */
  private static byte[] body(long n) {
    return BODIES[(int) (n % BODIES.length)];
  }

  /**
   * The loopback backend's header fields for its {@code n}th answer, in the shapes backends send, so
   * that reading and relaying them is compiled as real answers need: a {@code Connection: keep-alive}
   * on half of them (nginx and Apache send it on HTTP/1.1 too), and on a quarter a value that changes
   * with every answer at a fixed length (as an ETag or a request id does), which the upstream client's
   * kept header values ({@code ResponseHead}) must tell from the value kept in the same place.
   */
  private static void answerHeaders(HeaderMap headers, long n) {
    headers.put(Headers.CONTENT_TYPE, "text/plain");
    headers.put(Headers.SERVER, "turnout-warmup");
    if (n % 2 == 0) {
      headers.put(Headers.CONNECTION, "keep-alive");
    }
    if (n % 4 == 1) {
      // eight hex digits, always: the bit above them keeps the leading zeros
      String digits = Long.toHexString(0x1_0000_0000L | (n & 0xffff_ffffL)).substring(1);
      headers.put(Headers.ETAG, '"' + digits + '"');
    }
  }
}
