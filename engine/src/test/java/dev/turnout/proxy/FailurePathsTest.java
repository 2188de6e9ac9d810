package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.Name;
import dev.turnout.naming.Namer;
import dev.turnout.naming.Var;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failures the proxy expects (refusals, no endpoints) are answered and folded into a line or two of
 * log; exceptions it does not expect are answered 500 with l5d-err and logged with a trace once.
 */
class FailurePathsTest {
  private final CapturedLog log = new CapturedLog();
  private Fixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    log.close();
  }

  /** A port on loopback that nothing listens on: connections to it, on any 127.x address, are refused. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void nameWithTwoThousandRefusingEndpointsGetsOneClean502() throws IOException {
    int port = closedPort();
    List<Address> refusing = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      refusing.add(new Address("127.0." + (i / 250) + "." + (1 + i % 250), port));
    }
    Namer namer = path -> leaf(path, new Var<>(new Addr.Bound(refusing)));
    fx = new Fixture(Fixture.router("/svc => /#/io.l5d.fs;"), interpreter(namer));

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(err(r)).contains("could not connect to 127.0.").contains("/#/io.l5d.fs/users");
    assertThat(log.traced()).isZero();
    assertThat(log.lines).hasSize(1);
  }

  @Test
  void retriesAfterRefusalsReportedInsideTheConnectCallDoNotDeepenTheStack() {
    // Hosts the connection pool refuses within its connect call (a URI cannot hold "127.1"): each
    // retry is asked for while the previous attempt is still on the stack. Binding looks the name up
    // again after each refusal (the refusal ejects the endpoint), at the depth the retry runs at.
    List<Address> refusing = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      refusing.add(new Address("127.1", 1 + i));
    }
    Var<Addr> addr = new Var<>(new Addr.Bound(refusing));
    List<Integer> depths = new java.util.concurrent.CopyOnWriteArrayList<>();
    Namer namer =
        path -> {
          depths.add(Thread.currentThread().getStackTrace().length);
          return leaf(path, addr);
        };
    fx = new Fixture(Fixture.router("/svc => /#/io.l5d.fs;"), interpreter(namer));

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(err(r)).contains("cannot connect to 127.1:");
    List<Integer> retries = depths.subList(1, depths.size());
    assertThat(retries).hasSizeGreaterThanOrEqualTo(2);
    assertThat(retries).allMatch(d -> d.equals(retries.get(0)));
    assertThat(log.traced()).isZero();
  }

  @Test
  void twoThousandRefusingAlternativesGetOneClean502() throws IOException {
    int port = closedPort();
    StringJoiner alternatives = new StringJoiner(" | ", "/svc/users => ", ";");
    for (int i = 0; i < 2000; i++) {
      alternatives.add("/$/inet/127.0." + (i / 250) + "." + (1 + i % 250) + "/" + port);
    }
    fx = new Fixture(Fixture.router(alternatives.toString()));

    HttpResponse<String> r = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(err(r)).contains("could not connect to 127.0.");
    assertThat(log.traced()).isZero();
  }

  @Test
  void repeatedRefusalsAreOneLogLineThatLaterSaysHowManyWereFolded() throws IOException {
    int port = closedPort();
    fx = new Fixture(Fixture.router("/svc/users => /$/inet/127.0.0.1/" + port + ";"));

    for (int i = 0; i < 50; i++) {
      assertThat(fx.get("users", "/").statusCode()).isEqualTo(502);
    }
    assertThat(log.lines).hasSize(1);
    fx.advance(Duration.ofSeconds(11));
    fx.get("users", "/");

    assertThat(log.lines).hasSize(2);
    assertThat(log.lines.get(1).text()).contains("49 more connect failures were not logged");
    assertThat(log.traced()).isZero();
  }

  @Test
  void exceptionWhileRoutingIs500WithL5dErrAndItsTraceIsLoggedOnce() {
    Namer broken =
        path -> {
          throw new IllegalStateException("namer bug");
        };
    fx = new Fixture(Fixture.router("/svc => /#/io.l5d.fs;"), interpreter(broken));

    HttpResponse<String> first = fx.get("users", "/");
    HttpResponse<String> second = fx.get("users", "/");

    assertThat(first.statusCode()).isEqualTo(500);
    assertThat(err(first)).contains("namer bug");
    assertThat(second.statusCode()).isEqualTo(500);
    assertThat(log.traced()).isEqualTo(1);
    assertThat(log.lines.get(0).trace()).hasMessage("namer bug");
  }

  @Test
  void exceptionWhileForwardingIs500WithL5dErrAndTheConnectionStaysUsable() {
    AtomicBoolean explode = new AtomicBoolean(false);
    Var<Addr> source = new Var<>(new Addr.Bound(List.of(new Address("127.0.0.1", 9))));
    // Reading this address throws once the flag is up: binding (which does not read it when
    // failover is off) succeeds, and the exception comes while the request is being forwarded.
    Var<Addr> throwing =
        source.map(
            a -> {
              if (explode.get()) {
                throw new IllegalStateException("address bug");
              }
              return a;
            });
    Namer namer = path -> leaf(path, throwing);
    fx = new Fixture(Fixture.withFailover(Fixture.router("/svc => /#/io.l5d.fs;"), false), interpreter(namer));
    explode.set(true);
    source.set(new Addr.Bound(List.of(new Address("127.0.0.1", 10))));

    HttpResponse<String> r = fx.get("users", "/");
    HttpResponse<String> again = fx.get("users", "/");

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(err(r)).contains("address bug");
    assertThat(again.statusCode()).isEqualTo(500);
    assertThat(log.traced()).isEqualTo(1);
  }

  private static NameTree<Name> leaf(Path path, Var<Addr> addr) {
    if (path.isEmpty()) {
      return NameTree.neg();
    }
    return NameTree.leaf(new Name.Resolved(new BoundName(TestNamer.PREFIX.concat(path.take(1)), path.drop(1), addr)));
  }

  private static Interpreter interpreter(Namer namer) {
    return new Interpreter(List.of(new Interpreter.Mount(TestNamer.PREFIX, namer)));
  }

  private static String err(HttpResponse<String> r) {
    return URLDecoder.decode(r.headers().firstValue("l5d-err").orElse(""), StandardCharsets.UTF_8);
  }
}
