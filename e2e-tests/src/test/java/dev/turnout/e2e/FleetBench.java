package dev.turnout.e2e;

import dev.turnout.testing.Backend;
import dev.turnout.testing.Await;

import dev.turnout.store.ETags;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.PostgresServer;
import dev.turnout.store.Role;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's figures, printed, never asserted (a benchmark, run only when asked for: {@code mvn verify
 * -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=FleetBench}):
 *
 * <ol>
 *   <li>commit-to-fleet convergence: a control plane on a real PostgreSQL and three proxy-only
 *       processes; 100 commits, each moving {@code /svc/users} between two backends; for each, the time
 *       from the commit's 204 to the moment the last proxy routes a request by it (each proxy is asked
 *       in turn, again and again, until its answer comes from the new backend);
 *   <li>the control plane's cost per following proxy: 1,000 simulated followers in one separate
 *       process ({@link FleetFollowers}: each a real dtab watch stream, three bind watch streams and a
 *       report every second, as a proxy holds and sends); the control plane's CPU (from /proc for its
 *       pid), resident memory and thread count before and with them, and where the memory went (the
 *       JVM's native memory tracking by kind, and the live heap after a full collection); then 20
 *       commits, each timed from the start of its PUT to the moment the last follower read it, and to
 *       the moment all three proxy processes route by it.
 * </ol>
 *
 * <p>The control plane is started by {@code bin/turnout}, so it runs with {@code conf/jvm.options}
 * (collector and heap) as an operator's does; the proxies by {@code java -Xmx256m -jar}.
 */
class FleetBench {
  private static final int FOLLOWERS = Integer.getInteger("bench.followers", 1000);
  private static final int COMMITS_WITH_FOLLOWERS = 20;
  private static final String NS = "default";
  private static final String PASSWORD = "bench password";
  private static final Path LAUNCHER =
      Path.of("..", "web", "target", "turnout", "bin", "turnout").toAbsolutePath().normalize();

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void printFleetFigures() throws Exception {
    try (Backend a = Backend.named("a");
        Backend b = Backend.named("b");
        PostgresServer postgres = PostgresServer.start()) {
      String url = postgres.newDatabase();
      try (JdbcDtabStore seed =
          JdbcDtabStore.builder(url).user(PostgresServer.USER).password(PostgresServer.PASSWORD).passwordIterations(1000).open()) {
        seed.userStore().put("admin", Role.OPERATOR, PASSWORD.toCharArray());
        seed.create(NS, route(a), "bench", "seed");
      }
      Map<String, String> env = Map.of("TURNOUT_STORE_PASSWORD", PostgresServer.PASSWORD);
      List<JarProcess> processes = new ArrayList<>();
      try {
        // The control plane as an operator starts it: bin/turnout with conf/jvm.options (its collector
        // and heap), and native memory tracking on, for the breakdown of its memory.
        ProcessBuilder launcher = new ProcessBuilder(LAUNCHER.toString(),
            "--store", url + "?user=" + PostgresServer.USER, "--admin-port", "0", "--proxy-port", "0",
            "--warmup", "0", "--data", dir.resolve("cp").toString());
        launcher.environment().putAll(env);
        launcher.environment().remove("TURNOUT_HEAP");
        launcher.environment().put("JAVA_HOME", System.getProperty("java.home"));
        launcher.environment().put("JAVA_OPTS", "-XX:NativeMemoryTracking=summary");
        JarProcess cp = JarProcess.start("control-plane", launcher);
        processes.add(cp);
        int admin = cp.port("admin");
        Path config = Files.writeString(dir.resolve("proxy.yml"), String.join("\n",
            "routers:", "- protocol: http", "  interpreter:", "    kind: io.l5d.namerd.http",
            "    dst: /$/inet/127.0.0.1/" + admin, "    namespace: " + NS, ""));
        List<Integer> proxies = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
          JarProcess p = JarProcess.start("proxy-" + i, Map.of(),
              "proxy", "--config", config.toString(), "--admin-port", "0", "--proxy-port", "0", "--warmup", "0");
          processes.add(p);
          proxies.add(p.port("proxy"));
        }
        for (int port : proxies) {
          Await.until("proxy " + port + " routes", Duration.ofSeconds(30), () -> "a".equals(get(port)));
        }

        List<Double> millis = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
          Backend target = i % 2 == 1 ? b : a;
          put(admin, route(target));
          long committed = System.nanoTime();
          for (int port : proxies) {
            long deadline = committed + Duration.ofSeconds(30).toNanos();
            while (!target.name.equals(get(port))) {
              if (System.nanoTime() > deadline) {
                throw new AssertionError("proxy " + port + " did not converge on commit " + i);
              }
            }
          }
          millis.add((System.nanoTime() - committed) / 1e6);
        }
        millis.sort(null);
        System.out.printf(Locale.ROOT,
            "fleet bench: commit-to-fleet convergence over %d commits, 3 proxy processes: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
            millis.size(), pct(millis, 0.50), pct(millis, 0.99), millis.get(millis.size() - 1));

        followers(cp, admin, a, b, proxies);
      } finally {
        processes.forEach(JarProcess::close);
      }
    }
  }

  private void followers(JarProcess cp, int admin, Backend a, Backend b, List<Integer> proxies) throws Exception {
    long heapBefore = WatchStreamsIT.liveHeapKiB(cp.pid());
    Map<String, Long> nmtBefore = nativeMemory(cp.pid());
    long[] before = procStatus(cp.pid());
    Path classes = Path.of("target", "test-classes").toAbsolutePath();
    Process simulator =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m", "-cp",
                classes.toString(), FleetFollowers.class.getName(), String.valueOf(admin), String.valueOf(FOLLOWERS), NS)
            .redirectErrorStream(true)
            .start();
    BlockingQueue<String> said = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(simulator.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          said.add(line);
        }
      } catch (IOException e) {
        // the simulator ended
      }
    }, "simulator-output");
    reader.setDaemon(true);
    reader.start();
    try {
      long openStart = System.nanoTime();
      String ready = next(said, "ready", Duration.ofSeconds(240));
      double openSeconds = (System.nanoTime() - openStart) / 1e9;
      System.out.printf(Locale.ROOT, "fleet bench: simulator: %s (%.1f s to open %d followers' streams)%n",
          ready, openSeconds, FOLLOWERS);
      // Reports flow for a while before the control plane is measured.
      LockSupport.parkNanos(Duration.ofSeconds(10).toNanos());
      long[] cpuBefore = cpuTicks(cp.pid());
      long wallBefore = System.nanoTime();
      LockSupport.parkNanos(Duration.ofSeconds(20).toNanos());
      long[] cpuAfter = cpuTicks(cp.pid());
      double cpuSeconds = (cpuAfter[0] + cpuAfter[1] - cpuBefore[0] - cpuBefore[1]) / 100.0; // USER_HZ
      double wall = (System.nanoTime() - wallBefore) / 1e9;
      long[] after = procStatus(cp.pid());
      Map<String, Long> nmtAfter = nativeMemory(cp.pid());
      long heapAfter = WatchStreamsIT.liveHeapKiB(cp.pid());

      List<Double> toFollowers = new ArrayList<>();
      List<Double> toProxies = new ArrayList<>();
      for (int i = 1; i <= COMMITS_WITH_FOLLOWERS; i++) {
        long seq = 1000 + i;
        Backend target = i % 2 == 1 ? b : a;
        long start = System.currentTimeMillis();
        long startNanos = System.nanoTime();
        put(admin, route(target) + "/commit => /$/inet/127.0.0.1/" + seq + ";\n");
        for (int port : proxies) {
          Await.until("proxy " + port + " routes by commit " + seq, Duration.ofSeconds(30),
              () -> target.name.equals(get(port)));
        }
        toProxies.add((System.nanoTime() - startNanos) / 1e6);
        String line = next(said, "seq " + seq + " ", Duration.ofSeconds(30));
        long last = Long.parseLong(line.substring(line.indexOf(" last ") + 6).strip());
        toFollowers.add((double) (last - start));
        System.out.printf(Locale.ROOT, "fleet bench: commit %d: last follower after %d ms, 3 proxies after %.0f ms%n",
            seq, last - start, toProxies.get(toProxies.size() - 1));
      }
      toFollowers.sort(null);
      toProxies.sort(null);
      String status = said.stream().filter(l -> l.startsWith("status")).reduce((x, y) -> y).orElse("no status yet");
      System.out.printf(Locale.ROOT,
          "fleet bench: %d simulated followers (a dtab watch, 3 bind watches and a report a second each) on one control"
              + " plane, %d commits: commit-to-last-follower p50 %.0f ms, p99 %.0f ms, max %.0f ms; the 3 proxy"
              + " processes routing by it: p50 %.0f ms, p99 %.0f ms%n",
          FOLLOWERS, COMMITS_WITH_FOLLOWERS, pct(toFollowers, 0.50), pct(toFollowers, 0.99),
          toFollowers.get(toFollowers.size() - 1), pct(toProxies, 0.50), pct(toProxies, 0.99));
      System.out.printf(Locale.ROOT,
          "fleet bench: control plane with %d followers: CPU %.1f%% of one core (over %.0f s), RSS %d -> %d MiB"
              + " (%.3f MiB per follower), threads %d -> %d (%.3f per follower); simulator %s%n",
          FOLLOWERS, 100 * cpuSeconds / wall, wall, before[0] / 1024, after[0] / 1024,
          (after[0] - before[0]) / 1024.0 / FOLLOWERS, before[1], after[1], (after[1] - before[1]) / (double) FOLLOWERS,
          status);
      StringBuilder growth = new StringBuilder();
      for (String kind : nmtAfter.keySet()) {
        long grew = nmtAfter.get(kind) - nmtBefore.getOrDefault(kind, 0L);
        if (Math.abs(grew) >= 1024) {
          growth.append(String.format(Locale.ROOT, ", %s %+.1f", kind, grew / 1024.0));
        }
      }
      System.out.printf(Locale.ROOT,
          "fleet bench: the control plane's memory (JVM: %s): committed by kind, growth in MiB with the followers"
              + " (native memory tracking; 'Other' is direct buffers)%s; live heap after a full GC %d -> %d MiB"
              + " (%.1f KiB per follower)%n",
          jvmFlags(cp.pid()), growth, heapBefore / 1024, heapAfter / 1024, (heapAfter - heapBefore) / (double) FOLLOWERS);
    } finally {
      simulator.getOutputStream().close();
      if (!simulator.waitFor(10, TimeUnit.SECONDS)) {
        simulator.destroyForcibly();
      }
    }
  }

  /** The next line of {@code said} starting with {@code prefix}, the others passed over. */
  private static String next(BlockingQueue<String> said, String prefix, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      String line = said.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
      if (line != null && !line.startsWith("seq ")) {
        System.out.println("simulator: " + line);
      }
    }
    throw new AssertionError("the simulator did not say '" + prefix + "' within " + within);
  }

  /** Committed KiB by kind, from {@code jcmd PID VM.native_memory summary}. */
  private static Map<String, Long> nativeMemory(long pid) throws IOException, InterruptedException {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(pid), "VM.native_memory", "summary").redirectErrorStream(true).start();
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    java.util.regex.Pattern kind = java.util.regex.Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB");
    try (BufferedReader r = new BufferedReader(new InputStreamReader(jcmd.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        java.util.regex.Matcher m = kind.matcher(line);
        if (m.find()) {
          out.put(m.group(1), Long.parseLong(m.group(2)));
        }
      }
    }
    jcmd.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  /** The JVM flags a process was started with (its command line up to {@code -jar}). */
  private static String jvmFlags(long pid) throws IOException {
    String[] args = Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline")).split("\0");
    StringBuilder flags = new StringBuilder();
    for (int i = 1; i < args.length && !args[i].equals("-jar"); i++) {
      flags.append(i > 1 ? " " : "").append(args[i]);
    }
    return flags.toString();
  }

  /** {@code [utime, stime]} of a process in clock ticks, from /proc/PID/stat. */
  private static long[] cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
  }

  /** {@code [VmRSS in KiB, Threads]} of a process, from /proc. */
  private static long[] procStatus(long pid) throws IOException {
    long rss = 0;
    long threads = 0;
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
      } else if (line.startsWith("Threads:")) {
        threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return new long[] {rss, threads};
  }

  private static double pct(List<Double> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static String route(Backend backend) {
    return "/svc/users => /$/inet/127.0.0.1/" + backend.port() + ";\n";
  }

  private String get(int port) {
    try {
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).header("Host", "users")
              .timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.body().strip();
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Commits {@code dtab} and returns its version. */
  private long put(int admin, String dtab) throws Exception {
    String login = Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/1/dtabs/" + NS))
            .header("Content-Type", "application/dtab").header("Authorization", "Basic " + login)
            .PUT(HttpRequest.BodyPublishers.ofString(dtab)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 204) {
      throw new AssertionError("commit answered " + r.statusCode() + ": " + r.body());
    }
    return ETags.version(r.headers().firstValue("ETag").orElseThrow()).orElseThrow();
  }

}
