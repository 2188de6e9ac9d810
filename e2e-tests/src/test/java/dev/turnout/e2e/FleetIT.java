package dev.turnout.e2e;

import dev.turnout.testing.Backend;
import dev.turnout.testing.Await;
import dev.turnout.testing.Cleanup;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet on one machine, every part its own OS process: a real PostgreSQL server, two control planes
 * sharing it, three proxy-only processes following them ({@code dst: A | B}). A commit on either
 * control plane moves all three proxies' traffic; {@code kill -9} of the control plane they follow
 * leaves them routing, and they follow the other; its dashboard's fleet screen shows them converged.
 */
class FleetIT {
  private static final String NS = "default";
  private static final String OPERATOR = "admin";
  private static final String PASSWORD = "fleet password";

  @TempDir Path dir;
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void aCommitOnEitherControlPlaneMovesEveryProxyAndAKilledControlPlaneIsFollowedByTheOther() throws Exception {
    Backend v1 = cleanup.add(Backend.named("users-v1"));
    Backend v2 = cleanup.add(Backend.named("users-v2"));
    Backend web = cleanup.add(Backend.named("web"));
    // The control planes' own fs namer; the proxies have none and leave /# names to them, as Linkerd does.
    Path disco = Files.createDirectories(dir.resolve("disco"));
    Files.writeString(disco.resolve("web"), "127.0.0.1 " + web.port() + "\n");
    PostgresServer postgres = cleanup.add(PostgresServer.start());
    String url = postgres.newDatabase();
    try (JdbcDtabStore seed =
        JdbcDtabStore.builder(url).user(PostgresServer.USER).password(PostgresServer.PASSWORD).passwordIterations(1000).open()) {
      seed.userStore().put(OPERATOR, Role.OPERATOR, PASSWORD.toCharArray());
      seed.create(NS, routeTo(v1), "fleet-it", "seed");
    }
    Map<String, String> env = Map.of("TURNOUT_STORE_PASSWORD", PostgresServer.PASSWORD);
    String namers = "namers: [{kind: io.l5d.fs, rootDir: '" + disco + "'}]";
    Path cpConfig = Files.writeString(dir.resolve("cp.yml"), String.join("\n",
        "storage: {kind: postgresql, url: '" + url + "', user: " + PostgresServer.USER + "}",
        namers,
        "routers:",
        "- protocol: http",
        "  dtab: /svc => /$/inet/127.0.0.1/1;",
        ""));
    JarProcess a = cleanup.add(JarProcess.start("control-plane-a", env,
        "--config", cpConfig.toString(), "--admin-port", "0", "--proxy-port", "0", "--warmup", "0"));
    // The second one is given its database by --store, as an operator would on the command line.
    Path cpBConfig = Files.writeString(dir.resolve("cp-b.yml"), namers + "\n");
    JarProcess b = cleanup.add(JarProcess.start("control-plane-b", env,
        "--store", url + "?user=" + PostgresServer.USER, "--config", cpBConfig.toString(), "--admin-port", "0",
        "--proxy-port", "0", "--warmup", "0", "--data", dir.resolve("b").toString()));
    int adminA = a.port("admin");
    int adminB = b.port("admin");

    Path pxConfig = Files.writeString(dir.resolve("proxy.yml"), String.join("\n",
        "routers:",
        "- protocol: http",
        "  interpreter:",
        "    kind: io.l5d.namerd.http",
        "    dst: /$/inet/127.0.0.1/" + adminA + " | /$/inet/127.0.0.1/" + adminB,
        "    namespace: " + NS,
        ""));
    List<JarProcess> proxies = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      proxies.add(cleanup.add(JarProcess.start("proxy-" + i, Map.of(),
          "proxy", "--config", pxConfig.toString(), "--admin-port", "0", "--proxy-port", "0", "--warmup", "0")));
    }
    List<Integer> proxyPorts = new ArrayList<>();
    for (JarProcess p : proxies) {
      proxyPorts.add(p.port("proxy"));
    }

    everyProxyAnswers(proxyPorts, "users-v1");
    everyProxyAnswers(proxyPorts, "web", "web");

    commit(adminA, routeTo(v2), "canary all the way");
    everyProxyAnswers(proxyPorts, "users-v2");

    // Two writers on two control planes with the same ETag: exactly one wins.
    String etag = etag(adminB);
    CompletableFuture<Integer> onA = CompletableFuture.supplyAsync(() -> put(adminA, routeTo(v1), etag));
    CompletableFuture<Integer> onB = CompletableFuture.supplyAsync(() -> put(adminB, routeTo(v1), etag));
    assertThat(List.of(onA.get(), onB.get())).containsExactlyInAnyOrder(204, 412);
    everyProxyAnswers(proxyPorts, "users-v1");

    a.kill();
    for (int port : proxyPorts) {
      assertThat(get(port)).as("a proxy still routes with its control plane gone").isEqualTo("users-v1");
    }
    long version = commit(adminB, routeTo(v2), "after A died");
    everyProxyAnswers(proxyPorts, "users-v2");
    for (int port : proxyPorts) {
      assertThat(get(port, "web")).as("a name bound by the control plane's namer, now B's").isEqualTo("web");
    }

    Await.until("the fleet API to show 3 of 3 proxies on v" + version, Duration.ofSeconds(30),
        () -> fleet(adminB).contains("\"onVersion\":3,\"total\":3")
            && fleet(adminB).contains("\"version\":" + version + ","));
    try (Chromium chromium = Chromium.launch()) {
      PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
      Page page = Screens.open(chromium.browser, 1280);
      String admin = "http://127.0.0.1:" + adminB;
      Screens.signIn(page, admin, OPERATOR, PASSWORD);
      page.navigate(admin + "/fleet");
      assertThat(page.getByTestId("convergence-" + NS)).hasText("3 of 3 proxies on v" + version);
      Screens.shot(page, "fleet");
      // The overview's figures are the fleet's, and say whose: the three proxies, not the dead control plane.
      page.navigate(admin + "/");
      assertThat(page.getByTestId("coverage")).containsText("3 other fleet members");
      assertThat(page.getByTestId("coverage")).containsText("not included, as they stopped reporting");
    }
  }

  private static String routeTo(Backend backend) {
    return "/svc/web => /#/io.l5d.fs/web;\n/svc/users => /$/inet/127.0.0.1/" + backend.port() + ";\n";
  }

  private void everyProxyAnswers(List<Integer> proxyPorts, String backend) {
    everyProxyAnswers(proxyPorts, "users", backend);
  }

  private void everyProxyAnswers(List<Integer> proxyPorts, String host, String backend) {
    for (int port : proxyPorts) {
      Await.until("the proxy on " + port + " to route " + host + " to " + backend, Duration.ofSeconds(30),
          () -> backend.equals(get(port, host)));
    }
  }

  private String get(int port) {
    return get(port, "users");
  }

  /** What the backend behind {@code Host: host} said through the proxy on {@code port}. */
  private String get(int port, String host) {
    try {
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).header("Host", host)
              .timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body().strip() : r.statusCode() + " " + r.headers().firstValue("l5d-err").orElse("");
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private String etag(int admin) throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/1/dtabs/" + NS)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.headers().firstValue("ETag").orElseThrow();
  }

  /** Commits {@code dtab} through {@code admin}'s API and returns the new version. */
  private long commit(int admin, String dtab, String why) throws Exception {
    assertThat(put(admin, dtab, etag(admin))).isEqualTo(204);
    return dev.turnout.store.ETags.version(etag(admin)).orElseThrow();
  }

  private int put(int admin, String dtab, String ifMatch) {
    String login = Base64.getEncoder().encodeToString((OPERATOR + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/1/dtabs/" + NS))
                  .header("Content-Type", "application/dtab")
                  .header("If-Match", ifMatch)
                  .header("Authorization", "Basic " + login)
                  .PUT(HttpRequest.BodyPublishers.ofString(dtab))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String fleet(int admin) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/1/fleet")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
