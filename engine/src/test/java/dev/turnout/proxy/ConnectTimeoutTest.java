package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.config.ClientConfig;
import dev.turnout.config.RouterConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A host that drops connection attempts (rather than refusing them) is given up on after the client's
 * connect timeout: the attempt counts against the endpoint and the request goes elsewhere, instead of
 * waiting out the router's request timeout.
 */
class ConnectTimeoutTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(200);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final TestNamer namer = new TestNamer();
  private final Backend good = Backend.named("good");
  private Blackhole dropping;
  private Fixture fx;

  @AfterEach
  void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
    good.close();
    if (dropping != null) {
      dropping.close();
    }
  }

  private static RouterConfig router(String dtab) {
    RouterConfig r = Fixture.withTimeout(Fixture.router(dtab), REQUEST_TIMEOUT);
    ClientConfig c = new ClientConfig(r.client().failureAccrual(), r.client().loadBalancer(), CONNECT_TIMEOUT);
    return new RouterConfig(r.label(), r.protocol(), r.dtab(), r.identifiers(), r.dstPrefix(),
        r.interpreter(), r.servers(), c, r.service(),
        r.bindingTimeout(), r.requestTimeout(), r.maxCallDepth(), r.skipUnavailableAlternatives());
  }

  @Test
  void aRequestToAHostThatDropsConnectionsFailsAtTheConnectTimeoutWith502() throws Exception {
    dropping = new Blackhole();
    fx = new Fixture(router("/svc/users => /$/inet/127.0.0.1/" + dropping.port() + ";"));

    long start = System.nanoTime();
    HttpResponse<String> r = fx.get("users", "/");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(RoutingTest.decode(r.headers().firstValue("l5d-err").orElseThrow()))
        .contains("no connection to 127.0.0.1:" + dropping.port() + " within the 200 ms connect timeout");
    // One attempt, and a second one after re-binding (the first failure alone does not eject the
    // endpoint): about 400 ms, far from the 10 s request timeout this used to take.
    assertThat(took).isGreaterThanOrEqualTo(CONNECT_TIMEOUT).isLessThan(REQUEST_TIMEOUT.dividedBy(2));
    // Counted when the exchange ends, which may be just after the caller has read the answer.
    Fixture.await(
        () -> fx.metrics.service("web", "/svc/users").failuresByClass().containsKey("connect"), Duration.ofSeconds(5));
    assertThat(fx.metrics.service("web", "/svc/users").failuresByClass()).containsEntry("connect", 1L);
  }

  @Test
  void requestsGoOnToAHealthyEndpointWhenAnotherDropsConnections() throws Exception {
    dropping = new Blackhole();
    namer.setPorts("users", dropping.port(), good.port());
    fx = new Fixture(router("/svc => /#/io.l5d.fs;"), namer.interpreter());

    int ok = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = fx.get("users", "/");
      ok += r.statusCode() == 200 && r.body().equals("good") ? 1 : 0;
    }

    assertThat(ok).isEqualTo(20);
    // The dropping endpoint was tried, given up on and the request sent on: a retry, not a failure.
    assertThat(fx.metrics.service("web", "/svc/users").retries()).isPositive();
    assertThat(fx.metrics.service("web", "/svc/users").failures()).isZero();
  }
}
