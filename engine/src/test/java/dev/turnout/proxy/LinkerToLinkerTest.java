package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.testing.Http;
import dev.turnout.testing.Ports;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several routers of one proxy in a row, as Linkerd 1's linker-to-linker shape runs them when the
 * target lives on the same host: an outgoing router sends to the incoming router beside it. A loop is
 * the same router's server seen twice, not the same process.
 */
class LinkerToLinkerTest {
  private final Backend users = Backend.named("users");
  private RunningProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    users.close();
  }

  @Test
  void anOutgoingRouterSendsToTheIncomingRouterOfTheSameProcess() {
    int incoming = Ports.free();
    int outgoing = Ports.free();
    proxy = start(
        router("outgoing", outgoing, "/svc => /$/inet/127.0.0.1/" + incoming + ";"),
        router("incoming", incoming, "/svc => /$/inet/127.0.0.1/" + users.port() + ";"));

    HttpResponse<String> r = get(outgoing);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("users");
    assertThat(users.lastHeaders.get("via")).matches("1\\.1 turnout-[0-9a-f]+, 1\\.1 turnout-[0-9a-f]+");
  }

  @Test
  void threeRoutersInAChainAllPass() {
    int first = Ports.free();
    int second = Ports.free();
    int third = Ports.free();
    proxy = start(
        router("first", first, "/svc => /$/inet/127.0.0.1/" + second + ";"),
        router("second", second, "/svc => /$/inet/127.0.0.1/" + third + ";"),
        router("third", third, "/svc => /$/inet/127.0.0.1/" + users.port() + ";"));

    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      codes.add(get(first).statusCode());
    }

    assertThat(codes).containsOnly(200);
    assertThat(users.hits.get()).isEqualTo(20);
    assertThat(users.lastHeaders.get("via").split(",")).hasSize(3);
  }

  @Test
  void aChainThatComesBackToItsFirstRouterIsRefusedThereAtOnce() {
    int first = Ports.free();
    int second = Ports.free();
    proxy = start(
        router("first", first, "/svc => /$/inet/127.0.0.1/" + second + ";"),
        router("second", second, "/svc => /$/inet/127.0.0.1/" + first + ";"));

    HttpResponse<String> r = get(first);

    // The first router refuses the request when it comes round; the refusal travels back as the answer.
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Routing loop: this request has already passed router first on 127.0.0.1:" + first);
    assertThat(users.hits.get()).isZero();
  }

  @Test
  void maxCallDepthStillBoundsAChainOfDistinctHops() {
    int first = Ports.free();
    int second = Ports.free();
    RouterConfig shallow = router("second", second, "/svc => /$/inet/127.0.0.1/" + users.port() + ";");
    shallow = new RouterConfig(shallow.label(), shallow.protocol(), shallow.dtab(), shallow.identifiers(),
        shallow.dstPrefix(), shallow.interpreter(), shallow.servers(), shallow.client(), shallow.service(),
        shallow.bindingTimeout(), shallow.requestTimeout(), 2, shallow.skipUnavailableAlternatives());
    proxy = start(router("first", first, "/svc => /$/inet/127.0.0.1/" + second + ";"), shallow);

    HttpResponse<String> r = get(first, "Via", "1.1 linkerd");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Maximum number of calls (2) has been exceeded");
    assertThat(users.hits.get()).isZero();
  }

  private static RouterConfig router(String label, int port, String dtab) {
    return Fixture.router(dtab, r -> new RouterConfig(label, r.protocol(), r.dtab(), r.identifiers(), r.dstPrefix(),
        r.interpreter(), List.of(new ServerConfig("127.0.0.1", port, false)), r.client(), r.service(),
        r.bindingTimeout(), r.requestTimeout(), r.maxCallDepth(), r.skipUnavailableAlternatives()));
  }

  private static RunningProxy start(RouterConfig... routers) {
    return ProxyServer.start(List.of(routers), new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()), new ProxyMetrics());
  }

  private static HttpResponse<String> get(int port, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Host";
    all[1] = "users";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return Http.get("http://127.0.0.1:" + port + "/", all);
  }


}
