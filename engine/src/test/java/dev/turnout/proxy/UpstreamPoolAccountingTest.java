package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.RouterConfig;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream pool's count of open connections, which caps each IO thread at 1024, comes back to
 * what is really open after every way a connection ends: kept idle, closed by the backend while idle,
 * dropped for a broken answer, given up at the connect timeout. A slot lost on any of these paths
 * would, a thousand requests later, leave every request of that thread waiting for a connection.
 */
class UpstreamPoolAccountingTest {
  private static final Duration WITHIN = Duration.ofSeconds(10);
  private ScriptedBackend backend;
  private Blackhole dropping;
  private Fixture fx;

  @AfterEach
  void stop() throws IOException {
    if (fx != null) {
      fx.close();
    }
    if (backend != null) {
      backend.close();
    }
    if (dropping != null) {
      dropping.close();
    }
  }

  private int open() {
    return fx.proxy.pools().upstreamOpen();
  }

  @Test
  void sequentialRequestsOnAKeptConnectionHoldOneSlot() throws Exception {
    backend =
        new ScriptedBackend(
            (r, out) -> {
              ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
              return true;
            });
    fx = new Fixture(Fixture.router("/svc/x => /$/inet/127.0.0.1/" + backend.port() + ";"));
    for (int i = 0; i < 30; i++) {
      assertThat(fx.get("x", "/").statusCode()).isEqualTo(200);
    }
    assertThat(open()).isEqualTo(1);
    assertThat(backend.connections.get()).isEqualTo(1);
  }

  @Test
  void connectionsTheBackendClosesOrAnswersBadlyGiveTheirSlotsBack() throws Exception {
    backend =
        new ScriptedBackend(
            (r, out) -> {
              if (r.requestLine().contains("/bad")) {
                ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
                return true;
              }
              ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
              return false; // closed once answered: seen while idle, or by the next attempt
            });
    fx = new Fixture(Fixture.router("/svc/x => /$/inet/127.0.0.1/" + backend.port() + ";"));
    for (int i = 0; i < 10; i++) {
      assertThat(fx.get("x", "/ok").statusCode()).isEqualTo(200);
      assertThat(fx.get("x", "/bad").statusCode()).isEqualTo(502);
    }
    Fixture.await(() -> open() == 0, WITHIN);
  }

  @Test
  void aConnectGivenUpAtTheTimeoutGivesItsSlotBack() throws Exception {
    dropping = new Blackhole();
    RouterConfig r = Fixture.router("/svc/x => /$/inet/127.0.0.1/" + dropping.port() + ";");
    r = Fixture.withClient(r, new ClientConfig(r.client().failureAccrual(), r.client().loadBalancer(), Duration.ofMillis(100)));
    fx = new Fixture(r);
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> resp = fx.get("x", "/");
      assertThat(resp.statusCode()).isEqualTo(502);
    }
    // Each attempt's connect was cancelled when it timed out, not left to the kernel's two minutes.
    Fixture.await(() -> open() == 0, WITHIN);
  }
}
