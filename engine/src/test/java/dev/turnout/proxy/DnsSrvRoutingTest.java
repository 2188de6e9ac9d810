package dev.turnout.proxy;

import static dev.turnout.naming.dnssrv.Dnsmasq.host;
import static dev.turnout.naming.dnssrv.Dnsmasq.srv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.naming.Interpreter;
import dev.turnout.naming.dnssrv.DnsSrvNamer;
import dev.turnout.naming.dnssrv.Dnsmasq;
import dev.turnout.testing.Await;
import dev.turnout.testing.Backend;
import dev.turnout.testing.Cleanup;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Requests routed by a real router to the endpoints a real dnsmasq's SRV records name. */
class DnsSrvRoutingTest {
  private static final String USERS = "_http._tcp.users.test";
  private static final Duration REFRESH = Duration.ofMillis(500);

  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;
  private final Backend a = Backend.named("a");
  private final Backend b = Backend.named("b");
  private DnsSrvNamer namer;
  private Fixture fx;

  private void start(Dnsmasq dns, String dtab) {
    cleanup.add(a);
    cleanup.add(b);
    namer =
        cleanup.add(
            new DnsSrvNamer(DnsSrvNamer.DEFAULT_PREFIX, List.of(dns.server()), REFRESH, Duration.ofMillis(500), Clock.systemUTC()));
    fx = cleanup.add(new Fixture(Fixture.router(dtab), new Interpreter(List.of(new Interpreter.Mount(DnsSrvNamer.DEFAULT_PREFIX, namer)))));
  }

  private List<String> users(Backend... to) {
    List<String> lines = new java.util.ArrayList<>();
    for (Backend backend : to) {
      lines.add(srv(USERS, backend.name + ".test", backend.port(), 0, 1));
      lines.add(host(backend.name + ".test", "127.0.0.1"));
    }
    return lines;
  }

  private static Optional<String> l5dErr(HttpResponse<String> r) {
    return r.headers().firstValue("l5d-err").map(e -> URLDecoder.decode(e, StandardCharsets.UTF_8));
  }

  @Test
  void requestsReachEverySrvTarget() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, users(a, b)));
    start(dns, "/svc/users => /#/io.l5d.dnssrv/" + USERS + ";");

    for (int i = 0; i < 40; i++) {
      assertThat(fx.get("users", "/").statusCode()).isEqualTo(200);
    }

    assertThat(a.hits.get()).isPositive();
    assertThat(b.hits.get()).isPositive();
  }

  @Test
  void changedRecordsMoveTrafficWithinARefresh() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, users(a)));
    start(dns, "/svc/users => /#/io.l5d.dnssrv/" + USERS + ";");
    assertThat(fx.get("users", "/").body()).isEqualTo("a");

    dns.restart(users(b));
    long changed = System.nanoTime();
    Await.until("traffic on b", Duration.ofSeconds(5), () -> fx.get("users", "/").body().equals("b"));
    Duration moved = Duration.ofNanos(System.nanoTime() - changed);

    assertThat(moved).isLessThan(REFRESH.plusSeconds(1));
    int before = a.hits.get();
    for (int i = 0; i < 10; i++) {
      assertThat(fx.get("users", "/").body()).isEqualTo("b");
    }
    assertThat(a.hits.get()).isEqualTo(before);
  }

  @Test
  void dnsServerGoneKeepsRoutingToTheLastEndpointsAndTheNamerSaysStale() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, users(a)));
    start(dns, "/svc/users => /#/io.l5d.dnssrv/" + USERS + ";");
    assertThat(fx.get("users", "/").body()).isEqualTo("a");

    dns.stop();
    Await.until("stale", Duration.ofSeconds(5), () -> namer.status().get().stale());

    for (int i = 0; i < 10; i++) {
      assertThat(fx.get("users", "/").body()).isEqualTo("a");
    }
    assertThat(namer.status().get().lastError()).get().asString().contains(USERS);
  }

  @Test
  void labelThatIsNotADnsNameIsA502SayingWhy() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, users(a)));
    String tooLong = "x".repeat(64) + ".test";
    start(dns, "/svc/users => /#/io.l5d.dnssrv/" + tooLong + ";");

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(l5dErr(r)).hasValueSatisfying(e -> assertThat(e).contains("is not a DNS name").contains("longer than 63 characters"));
  }

  @Test
  void unknownNameIsA502SayingItDoesNotExistAndAnAltThenFallsBack() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, users(a)));
    start(dns, "/svc/users => /#/io.l5d.dnssrv/_http._tcp.nobody.test | /#/io.l5d.dnssrv/" + USERS + ";"
        + "/svc/nobody => /#/io.l5d.dnssrv/_http._tcp.nobody.test;");

    HttpResponse<String> r = fx.get("nobody", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    // Whether DNS has answered before this request bound (then binding itself refuses) or after (the
    // request waited for the answer), the reason names the name and that nothing is there.
    assertThat(l5dErr(r)).hasValueSatisfying(e -> assertThat(e).contains("_http._tcp.nobody.test")
        .containsAnyOf("does not exist", "~ nothing matched"));
    Await.until("fallback to users", Duration.ofSeconds(5), () -> fx.get("users", "/").body().equals("a"));
  }

  @Test
  void theFirstRequestToAnAltWhoseFirstNameTurnsOutUnknownIsServedByTheNext() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, users(a)));
    start(dns, "/svc/users => /#/io.l5d.dnssrv/_http._tcp.nobody.test | /#/io.l5d.dnssrv/" + USERS + ";");

    HttpResponse<String> first = fx.get("users", "/");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("a");
  }
}
