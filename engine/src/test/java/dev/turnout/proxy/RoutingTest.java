package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoutingTest {
  private final Backend a = Backend.named("a");
  private final Backend b = Backend.named("b");
  private Fixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    a.close();
    b.close();
  }

  private String inet(Backend be) {
    return "/$/inet/127.0.0.1/" + be.port();
  }

  @Test
  void routesByHostToTheBoundEndpoint() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a) + ";"));

    HttpResponse<String> r = fx.get("users", "/hello?x=1");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("a");
    assertThat(a.lastUri).isEqualTo("/hello?x=1");
  }

  @Test
  void unionSplitsTrafficInProportionToWeights() {
    fx = new Fixture(Fixture.router("/svc/users => 3 * " + inet(a) + " & 7 * " + inet(b) + ";"));

    int toA = 0;
    for (int i = 0; i < 4000; i++) {
      if (fx.get("users", "/").body().equals("a")) {
        toA++;
      }
    }

    assertThat(toA / 4000.0).isBetween(0.27, 0.33);
  }

  @Test
  void dtabOverrideHeaderReroutesOnlyThatRequest() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a) + ";"));

    HttpResponse<String> overridden = fx.get("users", "/", "l5d-dtab", "/svc/users => " + inet(b));
    HttpResponse<String> next = fx.get("users", "/");

    assertThat(overridden.body()).isEqualTo("b");
    assertThat(next.body()).isEqualTo("a");
  }

  @Test
  void malformedOverrideIs400WithTheParseErrorAndNothingForwarded() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a) + ";"));

    HttpResponse<String> r = fx.get("users", "/", "l5d-dtab", "i am not a dtab");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(decode(r.headers().firstValue("l5d-err").orElseThrow())).contains("l5d-dtab");
    assertThat(a.hits.get()).isZero();
  }

  @Test
  void unroutableNameIs502UnableToRoute() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a) + ";"));

    HttpResponse<String> r = fx.get("orders", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).startsWith("Unable to route request!").contains("/svc/orders");
    assertThat(r.headers().firstValue("l5d-err")).isPresent();
  }

  @Test
  void anEmptyUnionBranchIsExplainedInDtabNotation() {
    fx = new Fixture(Fixture.router("/svc/users => $;"));

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    // The operator reads what the dtab says, not how Turnout holds it in memory.
    assertThat(r.body()).contains("the name bound to $ (in dtab notation").doesNotContain("Empty[");
  }

  @Test
  void requestWithoutServiceNameIs400() {
    fx = new Fixture(Fixture.withIdentifiers(Fixture.router("/svc => " + inet(a) + ";"),
        java.util.List.of(new dev.turnout.config.IdentifierConfig("io.l5d.header", "my-name", null, 0, false, false, null))));

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(decode(r.headers().firstValue("l5d-err").orElseThrow())).contains("identify");
  }

  @Test
  void emptyUnionBranchFailsItsShareWith502() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a) + " & $;"));

    int failed = 0;
    for (int i = 0; i < 400; i++) {
      if (fx.get("users", "/").statusCode() == 502) {
        failed++;
      }
    }

    assertThat(failed / 400.0).isBetween(0.35, 0.65); // 6 sigma: a wrong split is still far outside
  }

  @Test
  void forwardsLinkerdHeadersAndContextButNotTheOverride() {
    fx = new Fixture(Fixture.router("/svc => /$/inet/127.0.0.1/" + a.port() + ";"));

    fx.get("users", "/", "l5d-dtab", "/x => /y");

    assertThat(a.lastHeaders)
        .containsEntry("l5d-dst-service", "/svc/users")
        .containsEntry("l5d-dst-client", "/$/inet/127.0.0.1/" + a.port())
        .containsEntry("l5d-dst-residual", "/users")
        .containsEntry("l5d-ctx-dtab", "/x=>/y")
        .containsEntry("host", "users")
        .containsKey("l5d-reqid")
        .doesNotContainKey("l5d-dtab");
  }

  @Test
  void clearContextIgnoresCallersOverrides() {
    fx = new Fixture(Fixture.withServer(Fixture.router("/svc/users => " + inet(a) + ";"),
        new dev.turnout.config.ServerConfig("127.0.0.1", 0, true)));

    HttpResponse<String> r = fx.get("users", "/", "l5d-dtab", "/svc/users => " + inet(b));

    assertThat(r.body()).isEqualTo("a");
    assertThat(a.lastHeaders).doesNotContainKey("l5d-ctx-dtab");
  }

  @Test
  void clearContextDropsEveryContextHeaderOfTheCaller() {
    fx = new Fixture(Fixture.withServer(Fixture.router("/svc/users => " + inet(a) + ";"),
        new dev.turnout.config.ServerConfig("127.0.0.1", 0, true)));

    fx.get("users", "/", "l5d-ctx-deadline", "0 1", "l5d-ctx-trace", "AAAA", "l5d-sample", "1.0", "x-kept", "yes");

    assertThat(a.lastHeaders)
        .doesNotContainKeys("l5d-ctx-deadline", "l5d-ctx-trace", "l5d-sample")
        .containsEntry("x-kept", "yes");
  }

  @Test
  void thePathIsForwardedExactlyAsSentEscapesIncluded() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a) + ";"));

    fx.get("users", "/a%3Fb/c%20d%25?x=%2F");

    assertThat(a.lastUri).isEqualTo("/a%3Fb/c%20d%25?x=%2F");
  }

  @Test
  void aCallersDestinationHeadersNeverReachTheBackend() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a) + ";"));

    fx.get("users", "/", "l5d-dst-residual", "/forged", "l5d-dst-client", "/forged");

    assertThat(a.lastHeaders).doesNotContainKey("l5d-dst-residual");
    assertThat(a.lastHeaders.get("l5d-dst-client")).isEqualTo(inet(a));
  }

  @Test
  void theCallersRequestIdIsKeptSoAChainLogsOneId() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a) + ";"));

    fx.get("users", "/", "l5d-reqid", "5f2b9c01aa");

    assertThat(a.lastHeaders.get("l5d-reqid")).isEqualTo("5f2b9c01aa");
  }

  @Test
  void requestThatLoopedTooOftenIs400() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a) + ";"));
    String via = String.join(", ", java.util.Collections.nCopies(1000, "1.1 turnout"));

    HttpResponse<String> r = fx.get("users", "/", "Via", via);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(a.hits.get()).isZero();
  }

  @Test
  void refusedConnectionIs502() {
    a.stop();
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a) + ";"));

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("l5d-err")).isPresent();
  }

  static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
