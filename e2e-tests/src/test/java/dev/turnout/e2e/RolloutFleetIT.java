package dev.turnout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.JdbcDtabStore;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts with every part its own OS process: a control plane (the jar, H2 store, the fs namer) and a
 * proxy-only process following it, real backends behind, real traffic through the proxy. The driver
 * judges on the fleet's figures, which the proxy reports to the control plane. A good canary goes to
 * 100% by itself; then a canary answering 500s is rolled back to what was stable by itself; every step
 * is a version in history, authored by its rollout.
 */
class RolloutFleetIT {
  private static final String NS = "default";
  private static final String OPERATOR = "admin";
  private static final String PASSWORD = "rollout password";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void aGoodCanaryReachesHundredAndAFailingOneReturnsToTheStableByThemselves() throws Exception {
    Backend v1 = cleanup.add(Backend.named("users"));
    Backend v2 = cleanup.add(Backend.named("users-v2"));
    Backend broken = cleanup.add(Backend.start("users-broken", ex -> Backend.respond(ex, 500, "broken")));
    Path disco = Files.createDirectories(dir.resolve("disco"));
    Files.writeString(disco.resolve("users"), "127.0.0.1 " + v1.port() + "\n");
    Files.writeString(disco.resolve("users-v2"), "127.0.0.1 " + v2.port() + "\n");
    Files.writeString(disco.resolve("users-broken"), "127.0.0.1 " + broken.port() + "\n");
    Path data = dir.resolve("data");
    try (JdbcDtabStore seed = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(data)).passwordIterations(1000).open()) {
      seed.userStore().put(OPERATOR, Role.OPERATOR, PASSWORD.toCharArray());
      seed.create(NS, "# users\n/svc/users => /#/io.l5d.fs/users;\n", "rollout-it", "seed");
    }
    Path cpConfig = Files.writeString(dir.resolve("cp.yml"), String.join("\n",
        "storage: {kind: h2, path: '" + data + "'}",
        "namers: [{kind: io.l5d.fs, rootDir: '" + disco + "'}]",
        // Its own router has a label of its own: the fleet's figures merge routers by label, and keep
        // the first one's namespace, which for this router (dtab from config) is none.
        "routers:",
        "- protocol: http",
        "  label: control-plane",
        "  dtab: /svc => /$/inet/127.0.0.1/1;",
        ""));
    JarProcess cp = cleanup.add(JarProcess.start("control-plane", Map.of(),
        "--config", cpConfig.toString(), "--admin-port", "0", "--proxy-port", "0", "--warmup", "0"));
    int admin = cp.port("admin");
    Path pxConfig = Files.writeString(dir.resolve("proxy.yml"), String.join("\n",
        "routers:",
        "- protocol: http",
        "  interpreter: {kind: io.l5d.namerd.http, dst: /$/inet/127.0.0.1/" + admin + ", namespace: " + NS + "}",
        ""));
    JarProcess proxy = cleanup.add(JarProcess.start("proxy", Map.of(),
        "proxy", "--config", pxConfig.toString(), "--admin-port", "0", "--proxy-port", "0", "--warmup", "0"));
    int proxyPort = proxy.port("proxy");
    Await.until("the proxy routes users to the stable", Duration.ofSeconds(30), () -> "users".equals(get(proxyPort)));

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger sent = new AtomicInteger();
    // Traffic flows until both rollouts have ended: a cap on its count once let it stop (on a fast
    // run) before the failing canary's step, which then paused with "0 of 20 requests".
    Thread traffic = new Thread(() -> {
      long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (!stop.get() && System.nanoTime() < until) {
        get(proxyPort);
        sent.incrementAndGet();
      }
    }, "rollout-traffic");
    traffic.setDaemon(true);
    traffic.start();
    try {
      long t0 = System.nanoTime();
      JsonNode good = start(admin, "/#/io.l5d.fs/users-v2");
      JsonNode done = awaitEnd(admin, good.get("id").asLong(), sent);
      System.out.printf("good canary: %s after %.1f s, versions %s%n", done.get("state").asText(),
          (System.nanoTime() - t0) / 1e9, done.get("versions"));
      assertThat(done.get("state").asText()).isEqualTo("succeeded");
      assertThat(done.get("weight").asInt()).isEqualTo(100);
      assertThat(done.get("history")).extracting(h -> h.get("verdict").asText()).containsExactly("passed", "passed");
      int sentSoFar = sent.get();
      // A step's window counts each request once: no step saw more than were sent in all.
      assertThat(done.get("history")).allSatisfy(h ->
          assertThat(h.get("requests").asLong()).isBetween(20L, (long) sentSoFar));
      Await.until("the proxy routes users to the canary", Duration.ofSeconds(30), () -> "users-v2".equals(get(proxyPort)));

      long t1 = System.nanoTime();
      JsonNode bad = start(admin, "/#/io.l5d.fs/users-broken");
      JsonNode back = awaitEnd(admin, bad.get("id").asLong(), sent);
      System.out.printf("failing canary: %s after %.1f s: %s; %d requests sent in all%n", back.get("state").asText(),
          (System.nanoTime() - t1) / 1e9, back.get("reason").asText(), sent.get());
      assertThat(back.get("state").asText()).isEqualTo("rolled-back");
      assertThat(back.get("reason").asText()).matches("success rate \\d+(\\.\\d)?% < 99% over \\d+ requests at step 1, 50%");
      assertThat(back.get("history").get(0).get("requests").asLong()).isLessThanOrEqualTo(sent.get());
      assertThat(back.get("stable").asText()).isEqualTo("/#/io.l5d.fs/users-v2");
    } finally {
      stop.set(true);
      traffic.join(10_000);
    }
    Await.until("the proxy routes users to the stable again", Duration.ofSeconds(30),
        () -> "users-v2".equals(get(proxyPort)));

    List<DtabVersion> history = new ArrayList<>();
    cp.close();
    try (JdbcDtabStore store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(data)).passwordIterations(1000).open()) {
      history.addAll(store.versions(NS));
    }
    List<String> lines = new ArrayList<>();
    for (int i = history.size() - 1; i >= 0; i--) {
      DtabVersion v = history.get(i);
      lines.add(v.version() + " " + v.author() + ": " + v.text().lines().filter(l -> l.startsWith("/svc/users")).findFirst().orElse(""));
    }
    assertThat(lines).containsExactly(
        "1 rollout-it: /svc/users => /#/io.l5d.fs/users;",
        "2 rollout 1: /svc/users => 50 * /#/io.l5d.fs/users & 50 * /#/io.l5d.fs/users-v2;",
        "3 rollout 1: /svc/users => /#/io.l5d.fs/users-v2;",
        "4 rollout 2: /svc/users => 50 * /#/io.l5d.fs/users-v2 & 50 * /#/io.l5d.fs/users-broken;",
        "5 rollout 2: /svc/users => /#/io.l5d.fs/users-v2;");
    assertThat(history.get(0).comment()).contains("rolled back: success rate");
  }

  private JsonNode start(int admin, String canary) throws Exception {
    String body = "{\"service\": \"/svc/users\", \"canary\": \"" + canary + "\", \"steps\": [50, 100],"
        + " \"stepSeconds\": 5, \"minSuccessRate\": 0.99, \"maxP99Ms\": 2000, \"minRequests\": 20}";
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/1/rollouts/" + NS))
        .header("Content-Type", "application/json").header("Authorization", "Basic " + login())
        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body());
  }

  /** Waits for the rollout to stop being active (by itself: nothing here acts on it). */
  private JsonNode awaitEnd(int admin, long id, AtomicInteger sent) {
    JsonNode[] last = new JsonNode[1];
    Await.until("rollout " + id + " to end by itself", Duration.ofSeconds(90), () -> {
      last[0] = rollout(admin, id);
      String state = last[0].get("state").asText();
      if ("paused".equals(state)) {
        throw new AssertionError("rollout " + id + " paused: " + last[0].get("reason").asText() + " ("
            + sent.get() + " requests sent so far)");
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
