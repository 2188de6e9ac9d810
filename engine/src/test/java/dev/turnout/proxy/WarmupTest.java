package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.IdentifierConfig;
import dev.turnout.dtab.Path;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmupTest {

  @Test
  void sendsTrafficThroughTheRouterAndLeavesNoThreadsBehind() {
    // The router's own dtab points nowhere: the warm-up replaces it with its loopback backend.
    Warmup.Result r = Warmup.run(Fixture.router("/svc => /$/inet/127.0.0.1/1;"), Duration.ofMillis(1500));

    assertThat(r.requests()).as(r.toString()).isGreaterThan(20);
    assertThat(r.ok()).as(r.toString()).isEqualTo(r.requests());
    assertThat(r.broken()).as(r.toString()).isZero();
    assertThat(r.took()).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(6));
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("turnout-warmup"));
  }

  @Test
  void aRouterThatCannotIdentifyTheWarmupRequestsStillRunsItsErrorPath() {
    var byHeader =
        Fixture.withIdentifiers(
            Fixture.router("/svc => /$/inet/127.0.0.1/1;"),
            List.of(new IdentifierConfig("io.l5d.header", "x-service", Path.read("/svc"), 0, false, false, null)));

    Warmup.Result r = Warmup.run(byHeader, Duration.ofMillis(400));

    assertThat(r.requests()).isGreaterThan(20);
    assertThat(r.ok()).isZero();
  }

  @Test
  void aRouterOnTheStoreIsWarmedOnAThrowawayStore() {
    var onStore =
        Fixture.router(
            "/svc => /$/inet/127.0.0.1/1;",
            r ->
                new dev.turnout.config.RouterConfig(
                    r.label(), r.protocol(), r.dtab(), r.identifiers(), r.dstPrefix(),
                    new dev.turnout.config.InterpreterConfig("store", "default"), r.servers(), r.client(),
                    r.service(), r.bindingTimeout(), r.requestTimeout(), r.maxCallDepth(),
                    r.skipUnavailableAlternatives()));

    Warmup.Result r = Warmup.run(onStore, Duration.ofMillis(1000));

    assertThat(r.requests()).as(r.toString()).isGreaterThan(10);
    assertThat(r.ok()).as(r.toString()).isEqualTo(r.requests());
  }

  @Test
  void aRouterWhoseNamesStartAtTheRootIsWarmedWithoutLoopingItsRewrite() {
    Path root = Path.read("/");
    var atRoot =
        Fixture.withIdentifiers(
            Fixture.router("/ => /$/inet/127.0.0.1/1;", r -> new dev.turnout.config.RouterConfig(
                r.label(), r.protocol(), r.dtab(), r.identifiers(), root, r.interpreter(), r.servers(),
                r.client(), r.service(), r.bindingTimeout(), r.requestTimeout(), r.maxCallDepth(),
                r.skipUnavailableAlternatives())),
            List.of(new IdentifierConfig("io.l5d.header.token", "Host", root, 0, false, false, null)));

    Warmup.Result r = Warmup.run(atRoot, Duration.ofMillis(1000));

    assertThat(r.requests()).as(r.toString()).isGreaterThan(10);
    assertThat(r.ok()).as(r.toString()).isEqualTo(r.requests());
  }

  @Test
  void aZeroBudgetDoesNothing() {
    Warmup.Result r = Warmup.run(Fixture.router("/svc => /$/inet/127.0.0.1/1;"), Duration.ZERO);

    assertThat(r.requests()).isZero();
    assertThat(r.took()).isZero();
  }

  @Test
  void readsAResponseWithItsBodyAndRefusesOneWithoutLength() throws Exception {
    byte[] buf = new byte[64];
    var in = new ByteArrayInputStream("HTTP/1.1 503 No\r\ncontent-length: 3\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII));
    assertThat(Warmup.readResponse(in, buf)).isEqualTo(503);

    var chunked =
        new ByteArrayInputStream(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(Warmup.readResponse(chunked, buf)).isEqualTo(-1);
  }
}
