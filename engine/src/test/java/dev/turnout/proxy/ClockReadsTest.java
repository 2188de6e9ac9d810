package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.metrics.TrafficStats;
import dev.turnout.testing.Backend;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request reads the clock once where its figures and its router both need the time: the latencies
 * it records are still the injected clock's, for the service, the client and the endpoint alike.
 */
class ClockReadsTest {
  private Fixture fx;
  /** Answers after moving the proxy's clock on by 250 ms: every latency of the request is that long. */
  private final Backend slow =
      Backend.start(
          "slow",
          ex -> {
            fx.advance(Duration.ofMillis(250));
            Backend.respond(ex, 200, "slow");
          });

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    slow.close();
  }

  @Test
  void aRequestsLatenciesAreTheInjectedClocks() {
    String endpoint = "127.0.0.1:" + slow.port();
    fx = new Fixture(Fixture.router("/svc/users => /$/inet/127.0.0.1/" + slow.port() + ";"));

    assertThat(fx.get("users", "/").statusCode()).isEqualTo(200);

    TrafficStats service = fx.metrics.service("web", "/svc/users");
    Fixture.await(() -> service.requests() == 1, Duration.ofSeconds(5));
    TrafficStats client = fx.metrics.client("web", "/$/inet/127.0.0.1/" + slow.port());
    TrafficStats atEndpoint = fx.metrics.endpoint(client, endpoint, () -> false);
    fx.metrics.tick();
    assertThat(service.successes()).isEqualTo(1);
    assertThat(service.latency().p50()).isBetween(249.0, 252.0);
    assertThat(client.requests()).isEqualTo(1);
    assertThat(client.latency().p50()).isBetween(249.0, 252.0);
    assertThat(atEndpoint.requests()).isEqualTo(1);
    assertThat(atEndpoint.latency().p50()).isBetween(249.0, 252.0);
  }
}
