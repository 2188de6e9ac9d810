package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turnout.testing.Backend;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** /$/inet/HOST/PORT with every host form the JVM's address parser takes, through the real proxy. */
class InetAddressTest {
  private final Backend a = Backend.named("a");
  private final CapturedLog log = new CapturedLog();
  private Fixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    a.close();
    log.close();
  }

  private HttpResponse<String> via(String host) {
    fx = new Fixture(Fixture.router("/svc/users => /$/inet/" + host + "/" + a.port() + ";"));
    return fx.get("users", "/");
  }

  @ParameterizedTest(name = "/$/inet/{0}/PORT reaches 127.0.0.1")
  @ValueSource(strings = {"127.0.0.1", "127.1", "127.0.1", "2130706433", "localhost", "::ffff:127.0.0.1"})
  void everyFormOfTheLoopbackAddressRoutes(String host) {
    HttpResponse<String> r = via(host);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("a");
    assertThat(a.lastHeaders).containsEntry("l5d-dst-client", "/$/inet/" + host + "/" + a.port());
    assertThat(log.lines).isEmpty();
  }

  @Test
  void anIpv6LiteralRoutesBareOrInBrackets() throws Exception {
    assumeTrue(ipv6Loopback(), "this machine has no ::1");
    try (Backend six = Backend.namedOn("six", "::1")) {
      fx = new Fixture(Fixture.router("/svc/bare => /$/inet/::1/" + six.port() + ";/svc/brackets => /$/inet/\\x5b::1\\x5d/" + six.port() + ";"));

      assertThat(fx.get("bare", "/").body()).isEqualTo("six");
      assertThat(fx.get("brackets", "/").body()).isEqualTo("six");
    }
  }

  @ParameterizedTest(name = "/$/inet/{0}/PORT is a 502 naming the address")
  @ValueSource(strings = {"256.1.1.1", "1.2.3.4.5", "127..1"})
  void aMalformedAddressIsA502NamingIt(String host) {
    HttpResponse<String> r = via(host);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(err(r)).contains("malformed address /$/inet/" + host + "/" + a.port()).contains(host);
    assertThat(a.hits.get()).isZero();
    assertThat(log.traced()).isZero();
  }

  @Test
  void aPortOutOfRangeIsA502NamingTheAddress() {
    fx = new Fixture(Fixture.router("/svc/users => /$/inet/127.0.0.1/70000;"));

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(err(r)).contains("/$/inet/127.0.0.1/70000").contains("port out of range");
  }

  private static boolean ipv6Loopback() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static String err(HttpResponse<String> r) {
    return URLDecoder.decode(r.headers().firstValue("l5d-err").orElse(""), StandardCharsets.UTF_8);
  }
}
