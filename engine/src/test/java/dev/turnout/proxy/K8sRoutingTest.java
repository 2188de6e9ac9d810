package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.naming.Interpreter;
import dev.turnout.naming.k8s.K8sNamer;
import dev.turnout.naming.k8s.K8sStandIn;
import dev.turnout.testing.Backend;
import dev.turnout.testing.Cleanup;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Routing through the io.l5d.k8s namer, its endpoints served by the Kubernetes API stand-in. */
class K8sRoutingTest {
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  private final Backend a = cleanup.add(Backend.named("a"));
  private final Backend b = cleanup.add(Backend.named("b"));
  private final K8sStandIn api = cleanup.add(K8sStandIn.start());
  private K8sNamer namer;
  private Fixture fx;

  private void start(String dtab) {
    namer = cleanup.add(K8sNamer.plain("127.0.0.1", api.port(), K8sNamer.DEFAULT_PREFIX, Optional.empty(), Clock.systemUTC()));
    fx = cleanup.add(new Fixture(Fixture.router(dtab), new Interpreter(List.of(new Interpreter.Mount(K8sNamer.DEFAULT_PREFIX, namer)))));
  }

  @Test
  void requestsReachTheServiceEndpointsAndFollowThemWhenTheyMove() {
    api.endpointsOnPorts("prod", "users", "http", "127.0.0.1", a.port(), b.port());
    start("/svc => /#/io.l5d.k8s/prod/http;");

    Fixture.await(() -> fx.get("users", "/").statusCode() == 200, Duration.ofSeconds(10));
    int toA = 0;
    for (int i = 0; i < 200; i++) {
      toA += fx.get("users", "/").body().equals("a") ? 1 : 0;
    }
    assertThat(toA).isBetween(40, 160);

    api.endpointsOnPorts("prod", "users", "http", "127.0.0.1", b.port());
    // Moved once the name's endpoints are b's alone (a response from b proves nothing: b was in the set).
    Fixture.await(
        () -> namer.names().values().stream().anyMatch(addr -> addr instanceof dev.turnout.naming.Addr.Bound bound
            && bound.addresses().size() == 1 && bound.addresses().get(0).port() == b.port()),
        Duration.ofSeconds(5));
    int hitsOfA = a.hits.get();
    for (int i = 0; i < 50; i++) {
      assertThat(fx.get("users", "/").body()).isEqualTo("b");
    }
    assertThat(a.hits.get()).isEqualTo(hitsOfA);
  }

  @Test
  void theLastEndpointsKeepServingWhileTheApiServerIsAway() {
    api.endpointsOnPorts("prod", "users", "http", "127.0.0.1", a.port());
    start("/svc => /#/io.l5d.k8s/prod/http;");
    Fixture.await(() -> fx.get("users", "/").statusCode() == 200, Duration.ofSeconds(10));

    api.stop();
    Fixture.await(() -> namer.status().orElseThrow().stale(), Duration.ofSeconds(10));

    for (int i = 0; i < 20; i++) {
      assertThat(fx.get("users", "/").body()).isEqualTo("a");
    }
  }

  @Test
  void aMalformedNameIsAnsweredWithItsReason() {
    start("/svc/nobody => /#/io.l5d.k8s/prod/http/nobody; /svc/bad => /#/io.l5d.k8s/prod_ns/http/users;");

    HttpResponse<String> bad = fx.get("bad", "/");
    HttpResponse<String> unknown = fx.get("nobody", "/");

    assertThat(bad.statusCode()).isEqualTo(502);
    assertThat(java.net.URLDecoder.decode(bad.headers().firstValue("l5d-err").orElse(""), java.nio.charset.StandardCharsets.UTF_8))
        .contains("'prod_ns' cannot be a Kubernetes namespace");
    assertThat(unknown.statusCode()).isEqualTo(502);
    assertThat(java.net.URLDecoder.decode(unknown.headers().firstValue("l5d-err").orElse(""), java.nio.charset.StandardCharsets.UTF_8))
        .contains("/#/io.l5d.k8s/prod/http/nobody does not exist");
  }
}
