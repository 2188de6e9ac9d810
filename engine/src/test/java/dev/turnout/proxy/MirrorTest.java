package dev.turnout.proxy;

import dev.turnout.testing.Backend;
import dev.turnout.dtab.Path;
import dev.turnout.config.IdentifierConfig;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MirrorTest {
  private final Backend primary = Backend.named("primary");
  private final Backend shadow = Backend.named("shadow");
  private final CountDownLatch release = new CountDownLatch(1);
  private final Backend stuckShadow =
      Backend.heldUntil("stuck", release);
  private Fixture fx;

  @AfterEach
  void stop() {
    release.countDown();
    if (fx != null) {
      fx.close();
    }
    primary.close();
    shadow.close();
    stuckShadow.close();
  }

  private String dtab(Backend to, int percent) {
    return "/svc/users => /$/inet/127.0.0.1/" + primary.port() + ";\n"
        + "#@mirror /svc/users => /$/inet/127.0.0.1/" + to.port() + " " + percent + "%\n";
  }

  @Test
  void theCopyGoesOutWithThePathTheRealRequestGoesOutWith() {
    // io.l5d.path takes /users off the path: both the backend and the shadow see /a/b?x=1.
    fx =
        new Fixture(
            Fixture.withIdentifiers(
                Fixture.router(dtab(shadow, 100)),
                List.of(new IdentifierConfig("io.l5d.path", null, Path.read("/svc"), 1, true, false, null))));

    assertThat(fx.get("anyhost", "/users/a/b?x=1").body()).isEqualTo("primary");

    assertThat(primary.lastUri).isEqualTo("/a/b?x=1");
    Fixture.await(() -> shadow.hits.get() == 1, Duration.ofSeconds(5));
    assertThat(shadow.lastUri).isEqualTo("/a/b?x=1");
  }

  @Test
  void mirroredRequestsReachTheShadowAndItsAnswerIsDiscarded() {
    fx = new Fixture(Fixture.router(dtab(shadow, 100)));

    for (int i = 0; i < 20; i++) {
      assertThat(fx.get("users", "/a").body()).isEqualTo("primary");
    }

    Fixture.await(() -> shadow.hits.get() == 20, Duration.ofSeconds(5));
    assertThat(shadow.lastUri).isEqualTo("/a");
    Fixture.await(() -> fx.metrics.shadow("web", "/svc/users").requests() == 20, Duration.ofSeconds(5));
    // A request is counted when its exchange completes, which may come just after the caller has read
    // the answer: wait for the last one rather than read the count at once.
    Fixture.await(() -> fx.metrics.service("web", "/svc/users").requests() == 20, Duration.ofSeconds(5));
  }

  @Test
  void stuckShadowNeitherDelaysNorFailsTheRealRequest() {
    fx = new Fixture(Fixture.withTimeout(Fixture.router(dtab(stuckShadow, 100)), Duration.ofSeconds(20)));
    long start = System.nanoTime();

    int ok = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = fx.get("users", "/");
      ok += r.statusCode() == 200 && r.body().equals("primary") ? 1 : 0;
    }

    assertThat(ok).isEqualTo(20);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void copiesToAShadowThatDropsConnectionsEndAtTheRequestTimeout() throws Exception {
    try (Blackhole dropping = new Blackhole()) {
      String dtab = "/svc/users => /$/inet/127.0.0.1/" + primary.port() + ";\n"
          + "#@mirror /svc/users => /$/inet/127.0.0.1/" + dropping.port() + " 100%\n";
      fx = new Fixture(Fixture.withTimeout(Fixture.router(dtab), Duration.ofSeconds(1)));

      for (int i = 0; i < 3; i++) {
        assertThat(fx.get("users", "/").body()).isEqualTo("primary");
      }

      // The copies' time runs while they wait to connect, so their slots are free again at the
      // timeout rather than when the kernel gives up on the connection minutes later.
      Fixture.await(() -> fx.metrics.shadow("web", "/svc/users").failures() == 3, Duration.ofSeconds(5));
      assertThat(fx.metrics.shadow("web", "/svc/users").failuresByClass()).containsEntry("timeout", 3L);
      assertThat(fx.metrics.shadow("web", "/svc/users").inFlight()).isZero();
    }
  }

  @Test
  void pendingConnectionAttemptsToAShadowAreCappedEvenAfterTheirCopiesTimedOut() throws Exception {
    try (Blackhole dropping = new Blackhole()) {
      String dtab = "/svc/users => /$/inet/127.0.0.1/" + primary.port() + ";\n"
          + "#@mirror /svc/users => /$/inet/127.0.0.1/" + dropping.port() + " 100%\n";
      fx = new Fixture(Fixture.withTimeout(Fixture.router(dtab), Duration.ofSeconds(1)));
      for (int i = 0; i < Mirror.MAX_IN_FLIGHT; i++) {
        fx.get("users", "/");
      }
      Fixture.await(
          () -> fx.metrics.shadow("web", "/svc/users").failures() == Mirror.MAX_IN_FLIGHT, Duration.ofSeconds(10));

      // Every copy has timed out, so none is out; but their connection attempts still wait on the
      // kernel, and more copies would only add to them.
      for (int i = 0; i < 10; i++) {
        assertThat(fx.get("users", "/").body()).isEqualTo("primary");
      }

      assertThat(fx.metrics.flat()).containsEntry("rt/web/shadow/dropped", 10L);
    }
  }

  @Test
  void deadShadowIsCountedApartFromRealTraffic() {
    shadow.stop();
    fx = new Fixture(Fixture.router(dtab(shadow, 100)));

    for (int i = 0; i < 10; i++) {
      assertThat(fx.get("users", "/").statusCode()).isEqualTo(200);
    }

    Fixture.await(() -> fx.metrics.shadow("web", "/svc/users").failures() == 10, Duration.ofSeconds(5));
    assertThat(fx.metrics.service("web", "/svc/users").failures()).isZero();
  }

  private HttpResponse<String> post(HttpRequest.BodyPublisher body) {
    HttpRequest req =
        HttpRequest.newBuilder(fx.uri("/orders"))
            .timeout(Duration.ofSeconds(20))
            .header("Host", "users")
            .header("Content-Type", "application/json")
            .POST(body)
            .build();
    try {
      return fx.http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request failed: " + e, e);
    }
  }

  /** A shadow that keeps each body it gets with its Content-Length, then answers 200. */
  private static Backend recording(List<String> bodies) {
    return Backend.start(
        "recording",
        ex ->
            ex.getRequestReceiver()
                .receiveFullString(
                    (e, body) -> {
                      bodies.add(e.getRequestHeaders().getFirst("Content-Length") + ":" + body);
                      Backend.respond(e, 200, "seen");
                    },
                    StandardCharsets.UTF_8));
  }

  @Test
  void postWithSmallBodyIsMirroredWithItsBodyIntact() {
    List<String> bodies = new CopyOnWriteArrayList<>();
    try (Backend recorder = recording(bodies)) {
      fx = new Fixture(Fixture.router(dtab(recorder, 100)));
      String json = "{\"order\":42,\"items\":[\"tea\",\"cake\"]}";

      HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofString(json));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("primary");
      Fixture.await(() -> bodies.size() == 1, Duration.ofSeconds(5));
      assertThat(bodies).containsExactly(json.length() + ":" + json);
      assertThat(recorder.lastUri).isEqualTo("/orders");
    }
  }

  @Test
  void stuckShadowNeitherDelaysNorFailsPostsWithBodies() {
    fx = new Fixture(Fixture.withTimeout(Fixture.router(dtab(stuckShadow, 100)), Duration.ofSeconds(20)));
    long start = System.nanoTime();

    int ok = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}"));
      ok += r.statusCode() == 200 && r.body().equals("primary") ? 1 : 0;
    }

    assertThat(ok).isEqualTo(20);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    Fixture.await(() -> stuckShadow.hits.get() == 20, Duration.ofSeconds(5));
  }

  @Test
  void chunkedUploadIsNotMirroredAndStillStreamsToThePrimary() {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Backend counting = recording(seen)) {
      fx = new Fixture(Fixture.router("/svc/users => /$/inet/127.0.0.1/" + counting.port() + ";\n"
          + "#@mirror /svc/users => /$/inet/127.0.0.1/" + shadow.port() + " 100%\n"));
      byte[] body = "x".repeat(300_000).getBytes(StandardCharsets.UTF_8);

      HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0)).startsWith("null:").hasSize("null:".length() + body.length);
      assertThat(fx.metrics.shadowSkippedCount("web")).isEqualTo(1);
      assertThat(shadow.hits.get()).isZero();
    }
  }

  @Test
  void bodyOverTheLimitIsNotMirroredButCountedAsSkipped() {
    fx = new Fixture(Fixture.router(dtab(shadow, 100)));

    HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofByteArray(new byte[BufferedBody.LIMIT + 1]));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(fx.metrics.shadowSkippedCount("web")).isEqualTo(1);
    assertThat(fx.metrics.flat()).containsEntry("rt/web/shadow/skipped", 1L);
    assertThat(shadow.hits.get()).isZero();
  }

  @Test
  void onlyTheSampledShareIsMirrored() {
    fx = new Fixture(Fixture.router(dtab(shadow, 10)));

    for (int i = 0; i < 1000; i++) {
      fx.get("users", "/");
    }

    Fixture.await(() -> fx.metrics.shadow("web", "/svc/users").inFlight() == 0, Duration.ofSeconds(5));
    assertThat(shadow.hits.get()).isBetween(40, 160); // 6 sigma of 1000 draws at 10%
  }
}
