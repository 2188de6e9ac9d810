package dev.turnout.proxy;

import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerConfig;
import dev.turnout.dtab.Path;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.routing.StoreDtabSource;
import dev.turnout.store.H2DtabStore;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Runs the proxy's own request path hot before real traffic reaches it. A JVM starts slow: until the
 * JIT compiler has seen the request path run many thousands of times, a request costs about three
 * times its steady-state CPU, and on a busy two-core machine the compiler needs tens of seconds of live
 * traffic to catch up, so the first half-minute after every restart or deploy answers slowly. Here
 * that half-minute happens before the proxy's ports open, on loopback only: a throwaway copy of the
 * first router (its identifier, classifier and client settings, a dtab pointing at a loopback
 * backend) takes requests from a few local connections until the compiler goes quiet or the time
 * budget is spent. Nothing it does is visible afterwards: its metrics, pools and threads are its own
 * and are closed when it ends.
 */
public final class Warmup {
  /** At least this long, so the compiler has queued the hot path before quiet is judged. */
  static final Duration MIN = Duration.ofSeconds(3);
  /** The compiler counts as quiet when it spent less than this in the last second. */
  static final long QUIET_COMPILE_MS = 15;
  private static final int CONNECTIONS = 8;
  /**
   * The Host headers the warm-up sends: a name, a name with a port, an address with a port (the last two
   * as a caller of the default proxy port would write them; Undertow checks names and addresses apart).
   */
  private static final String[] HOSTS = {"warmup", "warmup:4140", "127.0.0.1:4140"};
  private static final byte[] BODY = "warm\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LARGER = new byte[4096];

  /**
   * What a warm-up did: requests answered, 200s among them, connections that failed (a refused or
   * broken connection, an answer that could not be read), and how long it ran.
   */
  public record Result(long requests, long ok, long broken, Duration took) {}

  private Warmup() {}

  /**
   * Sends loopback traffic through a copy of {@code router} for at most {@code budget}. Returns at once
   * with nothing done for a zero budget.
   */
  public static Result run(RouterConfig router, Duration budget) {
    return run(router, budget, System::nanoTime);
  }

  static Result run(RouterConfig router, Duration budget, LongSupplier nanos) {
    if (budget.isZero() || budget.isNegative()) {
      return new Result(0, 0, 0, Duration.ZERO);
    }
    if (!router.interpreter().usesStore()) {
      return run(router, budget, r -> DtabSource.fixed(r.dtab()), nanos);
    }
    // The real router reads its dtab from the store: so does the copy, from a throwaway store in
    // memory, so the compiled code is the code real requests take (a different kind of source would
    // be compiled in, then thrown out at the first real request).
    try (H2DtabStore scratch = H2DtabStore.open("jdbc:h2:mem:turnout-warmup-" + System.nanoTime())) {
      return run(
          router,
          budget,
          r -> new StoreDtabSource(scratch, r.interpreter().namespace(), r.dtab()),
          nanos);
    }
  }

  private static Result run(
      RouterConfig router,
      Duration budget,
      Function<RouterConfig, DtabSource> sources,
      LongSupplier nanos) {
    long start = nanos.getAsLong();
    AtomicLong answered = new AtomicLong();
    Undertow backend =
        Undertow.builder()
            .setIoThreads(1)
            .setWorkerThreads(1)
            .addHttpListener(0, "127.0.0.1", ex -> {
              // Backends end keep-alive connections now and then (nginx after 1000 requests): the
              // proxy's reconnecting is part of its everyday path.
              if (answered.incrementAndGet() % 200 == 0) {
                ex.setPersistent(false);
              }
              ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
              ex.getResponseHeaders().put(Headers.SERVER, "turnout-warmup");
              ex.getResponseSender().send(ByteBuffer.wrap(ex.getQueryString().isEmpty() ? BODY : LARGER));
            })
            .build();
    // Started, so its once-a-second tick is compiled too.
    ProxyMetrics metrics = new ProxyMetrics();
    RunningProxy proxy = null;
    List<Thread> callers = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder requests = new LongAdder();
    LongAdder ok = new LongAdder();
    LongAdder broken = new LongAdder();
    try {
      backend.start();
      metrics.start();
      int backendPort = ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
      RouterConfig copy =
          router
              .withDtab(loopbackDtab(router, backendPort))
              .withServers(List.of(new ServerConfig("127.0.0.1", 0, false)));
      proxy = ProxyServer.start(List.of(copy), new Interpreter(List.of()), sources, metrics);
      int port = proxy.listeners().get(0).port();
      for (int i = 0; i < CONNECTIONS; i++) {
        Thread t = new Thread(() -> call(port, stop, requests, ok, broken), "turnout-warmup-" + i);
        t.setDaemon(true);
        t.start();
        callers.add(t);
      }
      waitForQuiet(start, budget, nanos);
    } finally {
      stop.set(true);
      for (Thread t : callers) {
        try {
          t.join(2_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (proxy != null) {
        proxy.close(Duration.ZERO);
      }
      backend.stop();
      metrics.close();
    }
    return new Result(
        requests.sum(), ok.sum(), broken.sum(), Duration.ofNanos(nanos.getAsLong() - start));
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
   * Returns once the budget is spent, or after {@link #MIN} when the JIT compiler spent less than
   * {@link #QUIET_COMPILE_MS} in the last second (where the JVM reports compile time at all).
   */
  private static void waitForQuiet(long start, Duration budget, LongSupplier nanos) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
    long end = start + budget.toNanos();
    long min = start + MIN.toNanos();
    long lastCompile = timed ? jit.getTotalCompilationTime() : 0;
    int quietSeconds = 0;
    while (nanos.getAsLong() < end) {
      long next = Math.min(end, nanos.getAsLong() + 1_000_000_000L);
      while (nanos.getAsLong() < next) {
        java.util.concurrent.locks.LockSupport.parkNanos(next - nanos.getAsLong());
      }
      if (timed) {
        long compile = jit.getTotalCompilationTime();
        // Compiles come in bursts: one quiet second is not the end of them.
        quietSeconds = compile - lastCompile < QUIET_COMPILE_MS ? quietSeconds + 1 : 0;
        lastCompile = compile;
        if (quietSeconds >= 2 && nanos.getAsLong() >= min) {
          return;
        }
      }
    }
  }

  /**
   * Requests of the shapes real callers send, so the compiled code fits them: a name or an address
   * with a port as {@code Host} (Undertow checks each differently), a query, the usual client headers,
   * a small body to hold, and an answer larger than one read.
   */
  static byte[][] requests() {
    String[] texts = {
      "GET / HTTP/1.1\r\nHost: " + HOSTS[2] + "\r\n\r\n",
      "GET /warmup/a/b HTTP/1.1\r\nHost: " + HOSTS[0] + "\r\nUser-Agent: turnout-warmup\r\nAccept: */*\r\n\r\n",
      "GET /warmup/c?larger=1 HTTP/1.1\r\nHost: " + HOSTS[1] + "\r\nAccept-Encoding: gzip\r\n\r\n",
      "POST /warmup/d HTTP/1.1\r\nHost: " + HOSTS[0] + "\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"warm\":true}",
    };
    byte[][] out = new byte[texts.length][];
    for (int i = 0; i < texts.length; i++) {
      out[i] = texts[i].getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }

  /** One keep-alive connection sending requests until told to stop; reconnects after any error. */
  private static void call(
      int port, AtomicBoolean stop, LongAdder requests, LongAdder ok, LongAdder broken) {
    byte[][] shapes = requests();
    // Mostly the plainest shape, as most traffic is.
    int[] order = {0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 3};
    int next = 0;
    byte[] buf = new byte[8192];
    while (!stop.get()) {
      try (Socket s = new Socket()) {
        s.setTcpNoDelay(true);
        s.setSoTimeout(2_000);
        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        while (!stop.get()) {
          out.write(shapes[order[next++ % order.length]]);
          int status = readResponse(in, buf);
          if (status < 0) {
            broken.increment();
            break;
          }
          requests.increment();
          if (status == 200) {
            ok.increment();
          }
        }
      } catch (IOException e) {
        // the proxy closed or refused: count it, open a new connection and go on
        if (!stop.get()) {
          broken.increment();
        }
      }
    }
  }

  /**
   * Reads one response with a Content-Length body (what the proxy sends for the loopback backend's
   * answer and for its own errors); returns its status, or -1 when the connection can't be reused.
   */
  static int readResponse(InputStream in, byte[] buf) throws IOException {
    int have = 0;
    int headEnd = -1;
    while (headEnd < 0) {
      if (have == buf.length) {
        return -1;
      }
      int n = in.read(buf, have, buf.length - have);
      if (n < 0) {
        return -1;
      }
      have += n;
      headEnd = indexOfBlankLine(buf, have);
    }
    String head = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1);
    if (head.length() < 12 || !head.startsWith("HTTP/1.1 ")) {
      return -1;
    }
    int status = Integer.parseInt(head.substring(9, 12));
    long length = contentLength(head);
    if (length < 0) {
      return -1;
    }
    long left = length - (have - (headEnd + 4));
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        return -1;
      }
      left -= n;
    }
    return left == 0 ? status : -1;
  }

  private static int indexOfBlankLine(byte[] b, int len) {
    for (int i = 3; i < len; i++) {
      if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
        return i - 3;
      }
    }
    return -1;
  }

  private static long contentLength(String head) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        try {
          return Long.parseLong(line.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}
