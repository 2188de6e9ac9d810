package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DrainTest {
  private final CountDownLatch arrived = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final Backend slow =
      Backend.start(
          "slow",
          ex ->
              ex.dispatch(
                  () -> {
                    arrived.countDown();
                    try {
                      release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    Backend.respond(ex, 200, "done");
                  }));

  @AfterEach
  void stop() {
    release.countDown();
    slow.close();
  }

  @Test
  void closeLetsInFlightRequestsFinish() throws Exception {
    Fixture fx = new Fixture(Fixture.router("/svc/users => /$/inet/127.0.0.1/" + slow.port() + ";"));
    CompletableFuture<HttpResponse<String>> inFlight =
        fx.http.sendAsync(
            HttpRequest.newBuilder(fx.uri("/")).header("Host", "users").build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(arrived.await(5, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> fx.proxy.close(Duration.ofSeconds(10)));
    release.countDown();
    closing.get(10, TimeUnit.SECONDS);

    assertThat(inFlight.get(5, TimeUnit.SECONDS).body()).isEqualTo("done");
    fx.metrics.close();
  }
}
