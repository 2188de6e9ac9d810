package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
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
  void mirroredRequestsReachTheShadowAndItsAnswerIsDiscarded() {
    fx = new Fixture(Fixture.router(dtab(shadow, 100)));

    for (int i = 0; i < 20; i++) {
      assertThat(fx.get("users", "/a").body()).isEqualTo("primary");
    }

    Fixture.await(() -> shadow.hits.get() == 20, Duration.ofSeconds(5));
    assertThat(shadow.lastUri).isEqualTo("/a");
    Fixture.await(() -> fx.metrics.shadow("web", "/svc/users").requests() == 20, Duration.ofSeconds(5));
    assertThat(fx.metrics.service("web", "/svc/users").requests()).isEqualTo(20);
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
  void deadShadowIsCountedApartFromRealTraffic() {
    shadow.stop();
    fx = new Fixture(Fixture.router(dtab(shadow, 100)));

    for (int i = 0; i < 10; i++) {
      assertThat(fx.get("users", "/").statusCode()).isEqualTo(200);
    }

    Fixture.await(() -> fx.metrics.shadow("web", "/svc/users").failures() == 10, Duration.ofSeconds(5));
    assertThat(fx.metrics.service("web", "/svc/users").failures()).isZero();
  }

  @Test
  void onlyTheSampledShareIsMirrored() {
    fx = new Fixture(Fixture.router(dtab(shadow, 10)));

    for (int i = 0; i < 1000; i++) {
      fx.get("users", "/");
    }

    Fixture.await(() -> fx.metrics.shadow("web", "/svc/users").inFlight() == 0, Duration.ofSeconds(5));
    assertThat(shadow.hits.get()).isBetween(60, 140);
  }
}
