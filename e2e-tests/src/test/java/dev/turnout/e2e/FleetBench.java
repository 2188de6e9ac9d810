package dev.turnout.e2e;

import dev.turnout.testing.Backend;
import dev.turnout.testing.Await;

import dev.turnout.config.InterpreterConfig;
import dev.turnout.routing.NamerdHttpDtabSource;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
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
 *   <li>the control plane's cost per following proxy: its resident memory and thread count before and
 *       after 50 simulated followers (each a real dtab watch stream and a report every second, as a
 *       proxy sends), and how long a commit takes to reach all 50.
 * </ol>
 */
class FleetBench {
  private static final String NS = "default";
  private static final String PASSWORD = "bench password";

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
        JarProcess cp = JarProcess.start("control-plane", env,
            "--store", url + "?user=" + PostgresServer.USER, "--admin-port", "0", "--proxy-port", "0",
            "--warmup", "0", "--data", dir.resolve("cp").toString());
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

        followers(cp, admin, a, b);
      } finally {
        processes.forEach(JarProcess::close);
      }
    }
  }

  private void followers(JarProcess cp, int admin, Backend a, Backend b) throws Exception {
    long[] before = procStatus(cp.pid());
    InterpreterConfig follow =
        new InterpreterConfig(InterpreterConfig.REMOTE, NS, List.of(new InterpreterConfig.ControlPlane("127.0.0.1", admin)),
            Duration.ofSeconds(1), Duration.ofSeconds(10));
    List<NamerdHttpDtabSource> sources = new ArrayList<>();
    List<Thread> reporters = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        sources.add(new NamerdHttpDtabSource(follow, "", Optional.empty(), Clock.systemUTC()));
      }
      Await.until("50 followers to read the dtab", Duration.ofSeconds(60),
          () -> sources.stream().allMatch(s -> s.current().version() > 0));
      long deadline = System.nanoTime() + Duration.ofSeconds(12).toNanos();
      for (int i = 0; i < 50; i++) {
        String id = "simulated-" + i;
        Thread t = new Thread(() -> {
          while (System.nanoTime() < deadline) {
            report(admin, id);
            LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
          }
        });
        t.setDaemon(true);
        t.start();
        reporters.add(t);
      }
      for (Thread t : reporters) {
        t.join(Duration.ofSeconds(30).toMillis());
      }
      long[] after = procStatus(cp.pid());
      long version = put(admin, route(sources.get(0).current().text().contains(String.valueOf(a.port())) ? b : a));
      long committed = System.nanoTime();
      Await.until("50 followers on the new version", Duration.ofSeconds(30),
          () -> sources.stream().allMatch(s -> s.current().version() == version));
      double reach = (System.nanoTime() - committed) / 1e6;
      System.out.printf(Locale.ROOT,
          "fleet bench: control plane with 50 simulated followers (a watch stream and a report a second each):"
              + " RSS %d -> %d MiB (%.2f MiB per follower), threads %d -> %d (%.2f per follower); a commit reached all 50 in %.1f ms%n",
          before[0] / 1024, after[0] / 1024, (after[0] - before[0]) / 1024.0 / 50, before[1], after[1],
          (after[1] - before[1]) / 50.0, reach);
    } finally {
      sources.forEach(NamerdHttpDtabSource::close);
    }
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

  private void report(int admin, String id) {
    String body = "{\"instance\":\"" + id + "\",\"role\":\"proxy\",\"admin\":\"127.0.0.1:1\",\"startedAtMillis\":0,"
        + "\"sentAtMillis\":" + System.currentTimeMillis() + ",\"routers\":[{\"router\":\"http\",\"namespace\":\"" + NS
        + "\",\"version\":1,\"following\":\"127.0.0.1:" + admin + "\",\"lastHeardMillis\":0,\"problem\":null}],\"traffic\":[]}";
    try {
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/1/fleet/reports"))
              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // counted by the control plane's absence in the figures; the bench goes on
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
