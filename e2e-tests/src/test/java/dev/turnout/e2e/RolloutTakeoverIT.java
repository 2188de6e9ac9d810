package dev.turnout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.PostgresServer;
import dev.turnout.store.Role;
import dev.turnout.testing.Await;
import dev.turnout.testing.Backend;
import dev.turnout.testing.Cleanup;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollout outlives the process driving it: two control planes (each the jar, its own OS process) on
 * one real PostgreSQL, a proxy following both ({@code dst: A | B}) with real traffic through it. A
 * starts the rollout and drives it; after its first step has passed, A is killed with SIGKILL, so its
 * lease is neither renewed nor given up. B takes the lease once it runs out (within {@link
 * dev.turnout.web.rollout.RolloutDriver#LEASE_TTL} and a tick), and carries the rollout to 100% on the
 * figures the proxy now reports to B. History holds each step once: no step was committed by both.
 */
class RolloutTakeoverIT {
  private static final String NS = "default";
  private static final String OPERATOR = "admin";
  private static final String PASSWORD = "takeover password";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void secondControlPlaneCarriesTheRolloutOnWhenTheDriverIsKilled() throws Exception {
    Backend v1 = cleanup.add(Backend.named("users"));
    Backend v2 = cleanup.add(Backend.named("users-v2"));
    Path disco = Files.createDirectories(dir.resolve("disco"));
    Files.writeString(disco.resolve("users"), "127.0.0.1 " + v1.port() + "\n");
    Files.writeString(disco.resolve("users-v2"), "127.0.0.1 " + v2.port() + "\n");
    PostgresServer postgres = cleanup.add(PostgresServer.start());
    String url = postgres.newDatabase();
    try (JdbcDtabStore seed = store(url)) {
      seed.userStore().put(OPERATOR, Role.OPERATOR, PASSWORD.toCharArray());
      seed.create(NS, "# users\n/svc/users => /#/io.l5d.fs/users;\n", "takeover-it", "seed");
    }
    Map<String, String> env = Map.of("TURNOUT_STORE_PASSWORD", PostgresServer.PASSWORD);
    Path cpConfig = Files.writeString(dir.resolve("cp.yml"), String.join("\n",
        "storage: {kind: postgresql, url: '" + url + "', user: " + PostgresServer.USER + "}",
        "namers: [{kind: io.l5d.fs, rootDir: '" + disco + "'}]",
        ""));
    JarProcess a = cleanup.add(JarProcess.start("control-plane-a", env,
        "--config", cpConfig.toString(), "--admin-port", "0", "--proxy-port", "0", "--warmup", "0",
        "--data", dir.resolve("a").toString()));
    int adminA = a.port("admin");
    JarProcess b = cleanup.add(JarProcess.start("control-plane-b", env,
        "--config", cpConfig.toString(), "--admin-port", "0", "--proxy-port", "0", "--warmup", "0",
        "--data", dir.resolve("b").toString()));
    int adminB = b.port("admin");
    Path pxConfig = Files.writeString(dir.resolve("proxy.yml"), String.join("\n",
        "routers:",
        "- protocol: http",
        "  interpreter:",
        "    kind: io.l5d.namerd.http",
        "    dst: /$/inet/127.0.0.1/" + adminA + " | /$/inet/127.0.0.1/" + adminB,
        "    namespace: " + NS,
        ""));
    JarProcess proxy = cleanup.add(JarProcess.start("proxy", Map.of(),
        "proxy", "--config", pxConfig.toString(), "--admin-port", "0", "--proxy-port", "0", "--warmup", "0"));
    int proxyPort = proxy.port("proxy");
    Await.until("the proxy routes users to the stable", Duration.ofSeconds(30), () -> "users".equals(get(proxyPort)));

    AtomicBoolean stop = new AtomicBoolean();
    Thread traffic = new Thread(() -> {
      long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (!stop.get() && System.nanoTime() < until) {
        get(proxyPort);
      }
    }, "takeover-traffic");
    traffic.setDaemon(true);
    traffic.start();
    try {
      long id = start(adminA);
      Await.until("A to drive rollout " + id, Duration.ofSeconds(30),
          () -> drivenBy(rollout(adminA, id), adminA));
      Await.until("the rollout's first step to pass on A", Duration.ofSeconds(90), () -> {
        JsonNode r = rollout(adminA, id);
        if (!"running".equals(r.get("state").asText())) {
          throw new AssertionError("rollout " + id + " stopped on A: " + r);
        }
        return r.get("step").asInt() >= 2;
      });

      long killed = System.nanoTime();
      a.kill();
      double[] tookOver = new double[1];
      Await.until("B to drive rollout " + id, Duration.ofSeconds(60), () -> {
        boolean b1 = drivenBy(rollout(adminB, id), adminB);
        tookOver[0] = (System.nanoTime() - killed) / 1e9;
        return b1;
      });
      System.out.printf("B took over rollout %d %.1f s after A was killed (lease %d s, ticks every 1 s)%n", id,
          tookOver[0], dev.turnout.web.rollout.RolloutDriver.LEASE_TTL.toSeconds());
      assertThat(tookOver[0]).as("seconds from A's death to B driving").isLessThan(15);

      JsonNode done = awaitEnd(adminB, id);
      System.out.printf("rollout %d %s: %s, versions %s%n", id, done.get("state").asText(),
          done.get("reason").asText(), done.get("versions"));
      assertThat(done.get("state").asText()).isEqualTo("succeeded");
      assertThat(done.get("history")).extracting(h -> h.get("verdict").asText())
          .containsExactly("passed", "passed", "passed");
    } finally {
      stop.set(true);
      traffic.join(10_000);
    }

    List<String> lines = new ArrayList<>();
    try (JdbcDtabStore store = store(url)) {
      List<DtabVersion> history = store.versions(NS);
      for (int i = history.size() - 1; i >= 0; i--) {
        DtabVersion v = history.get(i);
        lines.add(v.version() + " " + v.author() + ": "
            + v.text().lines().filter(l -> l.startsWith("/svc/users")).findFirst().orElse(""));
      }
    }
    assertThat(lines).containsExactly(
        "1 takeover-it: /svc/users => /#/io.l5d.fs/users;",
        "2 rollout 1: /svc/users => 80 * /#/io.l5d.fs/users & 20 * /#/io.l5d.fs/users-v2;",
        "3 rollout 1: /svc/users => 50 * /#/io.l5d.fs/users & 50 * /#/io.l5d.fs/users-v2;",
        "4 rollout 1: /svc/users => /#/io.l5d.fs/users-v2;");
  }

  private static JdbcDtabStore store(String url) {
    return JdbcDtabStore.builder(url).user(PostgresServer.USER).password(PostgresServer.PASSWORD)
        .passwordIterations(1000).open();
  }

  /** The rollout names as its driver the control plane whose admin port is {@code admin}. */
  private static boolean drivenBy(JsonNode rollout, int admin) {
    JsonNode driver = rollout.get("driver");
    return driver != null && driver.isTextual() && driver.asText().endsWith(":" + admin);
  }

  private long start(int admin) throws Exception {
    String body = "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [20, 50, 100],"
        + " \"stepSeconds\": 5, \"minSuccessRate\": 0.99, \"maxP99Ms\": 2000, \"minRequests\": 20}";
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/1/rollouts/" + NS))
        .header("Content-Type", "application/json").header("Authorization", "Basic " + login())
        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("id").asLong();
  }

  /** Waits for the rollout to stop being active (by itself: nothing here acts on it). */
  private JsonNode awaitEnd(int admin, long id) {
    JsonNode[] last = new JsonNode[1];
    Await.until("rollout " + id + " to end by itself", Duration.ofSeconds(120), () -> {
      last[0] = rollout(admin, id);
      String state = last[0].get("state").asText();
      if ("paused".equals(state)) {
        throw new AssertionError("rollout " + id + " paused: " + last[0].get("reason").asText());
      }
      return !"running".equals(state);
    });
    return last[0];
  }

  private JsonNode rollout(int admin, long id) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + admin + "/api/1/rollouts/" + NS + "/" + id))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new AssertionError("GET rollout " + id + " answered " + r.statusCode() + ": " + r.body());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String login() {
    return Base64.getEncoder().encodeToString((OPERATOR + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  }

  /** What the backend behind {@code Host: users} said through the proxy, or the status. */
  private String get(int port) {
    try {
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).header("Host", "users")
              .timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body().strip() : String.valueOf(r.statusCode());
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
