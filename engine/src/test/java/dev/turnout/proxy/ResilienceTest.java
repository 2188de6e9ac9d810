package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.config.ServiceConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Failover, failure accrual, retries and timeouts, against real backends. */
class ResilienceTest {
  private final TestNamer namer = new TestNamer();
  private final Backend good = Backend.named("good");
  private final Backend bad = Backend.start("bad", ex -> Backend.respond(ex, 500, "bad"));
  private final CountDownLatch release = new CountDownLatch(1);
  private final Backend stuck =
      Backend.heldUntil("stuck", release);
  private Fixture fx;

  @AfterEach
  void stop() {
    release.countDown();
    if (fx != null) {
      fx.close();
    }
    good.close();
    bad.close();
    stuck.close();
  }

  @Test
  void alternativeWhoseEndpointsRefuseConnectionsIsSkippedWithoutErrors() {
    Backend east = Backend.named("east");
    try {
      namer.set("east", east);
      namer.set("west", good);
      fx = new Fixture(Fixture.router("/svc/users => /#/io.l5d.fs/east | /#/io.l5d.fs/west;"), namer.interpreter());
      assertThat(fx.get("users", "/").body()).isEqualTo("east");

      east.stop();
      int errors = 0;
      int toWest = 0;
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r = fx.get("users", "/");
        errors += r.statusCode() == 200 ? 0 : 1;
        toWest += r.body().equals("good") ? 1 : 0;
      }

      assertThat(errors).isZero();
      assertThat(toWest).isEqualTo(20);
    } finally {
      east.close();
    }
  }

  @Test
  void trafficReturnsToRecoveredAlternativeAfterBackoff() {
    Backend east = Backend.named("east");
    try {
      namer.set("east", east);
      namer.set("west", good);
      fx = new Fixture(Fixture.router("/svc/users => /#/io.l5d.fs/east | /#/io.l5d.fs/west;"), namer.interpreter());
      east.stop();
      assertThat(fx.get("users", "/").body()).isEqualTo("good");

      east.restart();
      fx.advance(Duration.ofSeconds(6));

      assertThat(fx.get("users", "/").body()).isEqualTo("east");
      assertThat(fx.get("users", "/").body()).isEqualTo("east");
    } finally {
      east.close();
    }
  }

  @Test
  void failoverCanBeTurnedOff() {
    Backend east = Backend.named("east");
    try {
      namer.set("east", east);
      namer.set("west", good);
      fx = new Fixture(Fixture.withFailover(Fixture.router("/svc/users => /#/io.l5d.fs/east | /#/io.l5d.fs/west;"), false), namer.interpreter());
      east.stop();

      HttpResponse<String> r = fx.get("users", "/");

      assertThat(r.statusCode()).isEqualTo(502);
    } finally {
      east.close();
    }
  }

  @Test
  void consecutiveFailuresEjectAnEndpointUntilItsBackoffEnds() {
    namer.set("users", good, bad);
    fx = new Fixture(Fixture.router("/svc => /#/io.l5d.fs;"), namer.interpreter());

    for (int i = 0; i < 60; i++) {
      fx.get("users", "/");
    }
    int afterEjection = bad.hits.get();
    fx.advance(Duration.ofSeconds(6));
    for (int i = 0; i < 60; i++) {
      fx.get("users", "/");
    }

    assertThat(afterEjection).isEqualTo(5);
    assertThat(bad.hits.get()).isEqualTo(6);
  }

  @Test
  void retryableFailureIsSentToAnotherEndpoint() {
    namer.set("users", good, bad);
    fx = new Fixture(Fixture.withService(Fixture.router("/svc => /#/io.l5d.fs;"),
        new ServiceConfig("io.l5d.http.retryableRead5XX", 0.2, 10, Duration.ofSeconds(10))), namer.interpreter());

    int ok = 0;
    for (int i = 0; i < 30; i++) {
      ok += fx.get("users", "/").statusCode() == 200 ? 1 : 0;
    }

    assertThat(ok).isEqualTo(30);
  }

  @Test
  void retriesStayWithinTheBudget() {
    namer.set("users", bad);
    fx = new Fixture(Fixture.withService(Fixture.router("/svc => /#/io.l5d.fs;"),
        new ServiceConfig("io.l5d.http.retryableRead5XX", 0.2, 0, Duration.ofSeconds(10))), namer.interpreter());

    HttpResponse<String> last = null;
    for (int i = 0; i < 100; i++) {
      last = fx.get("users", "/");
    }

    assertThat(last.statusCode()).isEqualTo(500);
    assertThat(last.headers().firstValue("l5d-retryable")).contains("true");
    assertThat(bad.hits.get() - 100).isBetween(15, 20);
    assertThat(fx.metrics.service("web", "/svc/users").retries()).isEqualTo(bad.hits.get() - 100);
  }

  @Test
  void nonRetryableFailureIsNotRetried() {
    namer.set("users", bad);
    fx = new Fixture(Fixture.router("/svc => /#/io.l5d.fs;"), namer.interpreter());

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(bad.hits.get()).isEqualTo(1);
  }

  @Test
  void slowBackendTimesOutWith503() {
    fx = new Fixture(Fixture.withTimeout(Fixture.router("/svc/users => /$/inet/127.0.0.1/" + stuck.port() + ";"), Duration.ofMillis(300)));
    long start = System.nanoTime();

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(RoutingTest.decode(r.headers().firstValue("l5d-err").orElseThrow())).contains("timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }
}
