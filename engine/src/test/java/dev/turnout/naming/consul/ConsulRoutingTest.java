package dev.turnout.naming.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.naming.NamerStatus;
import dev.turnout.naming.consul.ConsulStandIn.Instance;
import dev.turnout.testing.Await;
import dev.turnout.testing.Backend;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consul namer behind a real router, against the Consul stand-in: requests for Host {@code web}
 * route through {@code /svc} to the backends Consul lists.
 */
class ConsulRoutingTest {
  private final Backend a = Backend.named("a");
  private final Backend b = Backend.named("b");
  private final ConsulStandIn consul = new ConsulStandIn("dc1", "dc2");
  private ConsulNamer namer;
  private ConsulProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (namer != null) {
      namer.close();
    }
    consul.close();
    a.close();
    b.close();
  }

  /** Linkerd's defaults, with blocking queries held a minute: longer than any test waits for a change. */
  private ConsulSettings settings() {
    return ConsulSettings.defaults(consul.host(), consul.port()).withWait(Duration.ofSeconds(60));
  }

  private void start(ConsulSettings settings, String dtab) {
    namer = new ConsulNamer(settings, ConsulNamer.DEFAULT_PREFIX);
    proxy = new ConsulProxy(dtab, namer);
  }

  private void awaitBody(String host, String body, Duration within) {
    Await.until(host + " answers " + body, within, () -> proxy.body(host).equals(body));
  }

  @Test
  void routesToTheInstancesConsulListsForTheService() {
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    start(settings(), "/svc => /#/io.l5d.consul/dc1;");

    HttpResponse<String> r = proxy.get("web");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("a");
    assertThat(consul.seen()).anyMatch(s -> s.path().equals("/v1/catalog/service/web") && s.query().get("dc").equals("dc1"));
  }

  @Test
  void registrationChangeMovesTrafficWithinTheBlockingQuery() {
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    start(settings(), "/svc => /#/io.l5d.consul/dc1;");
    assertThat(proxy.body("web")).isEqualTo("a");
    Await.until("a query blocks", Duration.ofSeconds(5), () -> consul.blockingQueries() >= 1);
    long queriesBefore = consul.serviceQueries().size();

    consul.register("dc1", "web", Instance.at("n2", b.port()));
    awaitBody("web", "b", Duration.ofSeconds(5));

    // The blocked query answered the change (well before its 60 s wait): one more query or two, no polling.
    assertThat(consul.serviceQueries().size() - queriesBefore).isLessThanOrEqualTo(2);
    assertThat(consul.seen()).anyMatch(s -> "60s".equals(s.query().get("wait")));
  }

  @Test
  void tagInThePathPicksTheInstancesWithThatTag() {
    consul.register("dc1", "web", Instance.at("n1", a.port()).tagged("canary"), Instance.at("n2", b.port()).tagged("stable"));
    start(settings().withIncludeTag(true), "/svc => /#/io.l5d.consul/dc1/canary;");

    for (int i = 0; i < 20; i++) {
      assertThat(proxy.body("web")).isEqualTo("a");
    }
    assertThat(consul.seen()).anyMatch(s -> "canary".equals(s.query().get("tag")));
  }

  @Test
  void healthCheckKeepsOnlyPassingInstancesAndFollowsTheirChecks() {
    consul.register("dc1", "web", Instance.at("n1", a.port()).status("critical"), Instance.at("n2", b.port()));
    start(settings().withHealthCheck(Set.of(ConsulSettings.HealthStatus.PASSING)), "/svc => /#/io.l5d.consul/dc1;");
    for (int i = 0; i < 20; i++) {
      assertThat(proxy.body("web")).isEqualTo("b");
    }

    consul.register("dc1", "web", Instance.at("n1", a.port()), Instance.at("n2", b.port()).status("critical"));

    awaitBody("web", "a", Duration.ofSeconds(5));
    for (int i = 0; i < 20; i++) {
      assertThat(proxy.body("web")).isEqualTo("a");
    }
    assertThat(consul.seen()).anyMatch(s -> s.path().equals("/v1/health/service/web") && "true".equals(s.query().get("passing")));
  }

  @Test
  void healthStatusesKeepInstancesWhoseWorstCheckIsListed() {
    consul.register(
        "dc1", "web", Instance.at("n1", a.port()).status("warning"), Instance.at("n2", b.port()).status("maintenance"));
    start(
        settings().withHealthCheck(Set.of(ConsulSettings.HealthStatus.PASSING, ConsulSettings.HealthStatus.WARNING)),
        "/svc => /#/io.l5d.consul/dc1;");

    for (int i = 0; i < 20; i++) {
      assertThat(proxy.body("web")).isEqualTo("a");
    }
  }

  @Test
  void datacenterInThePathChoosesWhereAndLocalMeansTheAgentsOwn() {
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    consul.register("dc2", "web", Instance.at("n2", b.port()));
    start(settings(), "/svc/east => /#/io.l5d.consul/dc1/web; /svc/west => /#/io.l5d.consul/dc2/web; /svc/here => /#/io.l5d.consul/.local/web;");

    assertThat(proxy.body("east")).isEqualTo("a");
    assertThat(proxy.body("west")).isEqualTo("b");
    assertThat(proxy.body("here")).isEqualTo("a");
    assertThat(consul.seen()).anyMatch(s -> s.path().equals("/v1/agent/self"));
  }

  @Test
  void alternativeFallsToTheNextDatacenterWhenTheServiceLeavesTheFirst() {
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    consul.register("dc2", "web", Instance.at("n2", b.port()));
    start(settings(), "/svc/web => /#/io.l5d.consul/dc1/web | /#/io.l5d.consul/dc2/web;");
    assertThat(proxy.body("web")).isEqualTo("a");
    long generation = namer.generation();

    consul.deregister("dc1", "web");

    awaitBody("web", "b", Duration.ofSeconds(5));
    assertThat(namer.generation()).isGreaterThan(generation);
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    awaitBody("web", "a", Duration.ofSeconds(5));
  }

  @Test
  void aServiceAbsentFromTheFirstDatacenterFromTheStartFallsThrough() {
    consul.register("dc2", "web", Instance.at("n2", b.port()));
    start(settings(), "/svc/web => /#/io.l5d.consul/dc1/web | /#/io.l5d.consul/dc2/web;");

    // The first request may bind before Consul's first answer (see docs/linkerd-compatibility.md).
    proxy.get("web");

    for (int i = 0; i < 20; i++) {
      assertThat(proxy.body("web")).isEqualTo("b");
    }
  }

  @Test
  void agentGoingAwayKeepsTheLastEndpointsAndSaysStale() {
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    start(settings(), "/svc => /#/io.l5d.consul/dc1;");
    assertThat(proxy.body("web")).isEqualTo("a");
    assertThat(namer.status()).hasValueSatisfying(s -> assertThat(s.stale()).isFalse());

    consul.stop();

    Await.until("the namer says stale", Duration.ofSeconds(5), () -> namer.status().map(NamerStatus::stale).orElse(false));
    NamerStatus status = namer.status().orElseThrow();
    assertThat(status.lastError()).hasValueSatisfying(e -> assertThat(e).contains("consul at 127.0.0.1:" + consul.port()));
    assertThat(status.lastUpdate()).isPresent();
    assertThat(status.source()).isEqualTo("consul http://127.0.0.1:" + consul.port());
    for (int i = 0; i < 20; i++) {
      assertThat(proxy.body("web")).isEqualTo("a");
    }

    consul.restart();

    Await.until("the namer is fresh again", Duration.ofSeconds(10), () -> !namer.status().orElseThrow().stale());
    assertThat(namer.status().orElseThrow().lastError()).isEmpty();
    consul.register("dc1", "web", Instance.at("n2", b.port()));
    awaitBody("web", "b", Duration.ofSeconds(5));
  }

  @Test
  void garbageFromTheAgentKeepsTheLastEndpointsAndSaysWhy() {
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    start(settings(), "/svc => /#/io.l5d.consul/dc1;");
    assertThat(proxy.body("web")).isEqualTo("a");

    consul.answerGarbage(true);
    consul.register("dc1", "web", Instance.at("n2", b.port()));

    Await.until("the namer says stale", Duration.ofSeconds(5), () -> namer.status().orElseThrow().stale());
    assertThat(namer.status().orElseThrow().lastError()).hasValueSatisfying(e -> assertThat(e).contains("not JSON"));
    for (int i = 0; i < 20; i++) {
      assertThat(proxy.body("web")).isEqualTo("a");
    }
    consul.answerGarbage(false);
    awaitBody("web", "b", Duration.ofSeconds(10));
  }

  @Test
  void tokenIsSentAsXConsulTokenOnEveryRequest() {
    consul.requireToken("s3cret");
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    start(settings().withToken("s3cret"), "/svc/web => /#/io.l5d.consul/.local/web;");

    assertThat(proxy.body("web")).isEqualTo("a");

    assertThat(consul.seen()).isNotEmpty().allSatisfy(s -> assertThat(s.token()).hasValue("s3cret"));
  }

  @Test
  void missingTokenIsAnsweredWithConsulsRefusal() {
    consul.requireToken("s3cret");
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    start(settings(), "/svc => /#/io.l5d.consul/dc1;");

    HttpResponse<String> r = proxy.get("web");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(ConsulProxy.err(r)).contains("consul answered 403: ACL not found");
    assertThat(namer.status().orElseThrow().stale()).isTrue();
  }

  @Test
  void malformedNamesAreAnsweredWithTheirReason() {
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    start(
        settings(),
        "/svc/short => /#/io.l5d.consul/dc1; /svc/bad => /#/io.l5d.consul/dc.east/web;"
            + " /svc/far => /#/io.l5d.consul/dc9/web; /svc/bytes => /#/io.l5d.consul/dc1/\\xff;");

    HttpResponse<String> tooShort = proxy.get("short");
    HttpResponse<String> badDc = proxy.get("bad");
    HttpResponse<String> unknownDc = proxy.get("far");
    HttpResponse<String> notText = proxy.get("bytes");

    assertThat(tooShort.statusCode()).isEqualTo(502);
    assertThat(ConsulProxy.err(tooShort)).contains("/svc/short");
    assertThat(badDc.statusCode()).isEqualTo(502);
    assertThat(ConsulProxy.err(badDc)).contains("dc.east in /#/io.l5d.consul/dc.east/web is not a Consul datacenter name");
    assertThat(unknownDc.statusCode()).isEqualTo(502);
    assertThat(ConsulProxy.err(unknownDc)).contains("consul answered 500: No path to datacenter");
    assertThat(notText.statusCode()).isEqualTo(502);
    assertThat(ConsulProxy.err(notText)).contains("is not UTF-8 text");
  }

  @Test
  void indexGoingBackwardsStartsOverWithAFreshRead() {
    consul.register("dc1", "web", Instance.at("n1", a.port()));
    start(settings().withWait(Duration.ofSeconds(1)), "/svc => /#/io.l5d.consul/dc1;");
    assertThat(proxy.body("web")).isEqualTo("a");
    Await.until("a query blocks", Duration.ofSeconds(5), () -> consul.blockingQueries() >= 1);

    consul.restoreSnapshot();
    int mark = consul.serviceQueries().size();
    consul.register("dc1", "web", Instance.at("n2", b.port()));

    awaitBody("web", "b", Duration.ofSeconds(5));
    Await.until("a fresh read after the index went back", Duration.ofSeconds(5),
        () -> consul.serviceQueries().subList(mark, consul.serviceQueries().size()).stream().anyMatch(s -> !s.query().containsKey("index")));
    Await.until("blocking again on the new index", Duration.ofSeconds(5),
        () -> consul.serviceQueries().subList(mark, consul.serviceQueries().size()).stream().anyMatch(s -> "3".equals(s.query().get("index"))));
  }
}
