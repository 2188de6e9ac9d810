package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.IdentifierConfig;
import dev.turnout.testing.Backend;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Identifiers read the request line and headers from the exchange itself, through one head per IO
 * thread pointed at each request in turn: every part is the request's own, request after request.
 */
class ExchangeHeadTest {
  private final Backend a = Backend.named("a");
  private Fixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    a.close();
  }

  private String inet() {
    return "/$/inet/127.0.0.1/" + a.port();
  }

  @Test
  void methodHostVersionAndPathAreEachRequestsOwn() {
    fx = new Fixture(Fixture.withIdentifiers(Fixture.router("/svc/1.1/GET/users/orders => " + inet() + ";"),
        List.of(new IdentifierConfig("io.l5d.methodAndHost", null, null, 0, false, true, null))));

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> routed = fx.get("Users", "/orders?x=" + i);
      HttpResponse<String> otherPath = fx.get("users", "/carts?x=" + i);
      HttpResponse<String> otherHost = fx.get("carts", "/orders");

      assertThat(routed.statusCode()).isEqualTo(200);
      assertThat(a.lastUri).isEqualTo("/orders?x=" + i);
      assertThat(otherPath.statusCode()).isEqualTo(502);
      assertThat(decode(otherPath)).contains("/svc/1.1/GET/users/carts");
      assertThat(otherHost.statusCode()).isEqualTo(502);
      assertThat(decode(otherHost)).contains("/svc/1.1/GET/carts/orders");
    }
  }

  @Test
  void aHeaderIdentifierReadsTheHeaderOfTheRequestAtHand() {
    fx = new Fixture(Fixture.withIdentifiers(Fixture.router("/svc/users => " + inet() + ";"),
        List.of(new IdentifierConfig("io.l5d.header", "my-name", null, 0, false, false, null))));

    assertThat(fx.get("x", "/", "my-name", "/users").statusCode()).isEqualTo(200);
    assertThat(fx.get("x", "/").statusCode()).isEqualTo(400);
    assertThat(decode(fx.get("x", "/", "my-name", "/carts"))).contains("/svc/carts");
  }

  private static String decode(HttpResponse<String> r) {
    return URLDecoder.decode(r.headers().firstValue("l5d-err").orElse(""), StandardCharsets.UTF_8);
  }
}
