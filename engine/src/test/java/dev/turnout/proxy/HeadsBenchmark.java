package dev.turnout.proxy;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Interpreter;
import dev.turnout.proxy.upstream.HeaderSink;
import dev.turnout.routing.DtabSource;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import dev.turnout.routing.RoutingSnapshot;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing the backend's request head for a routed request with a curl-like caller's six headers: line
 * by line from the caller's map into bytes ({@link #direct}, what Turnout's client does), against
 * gathering the lines in a reused {@code HeaderMap} first and encoding that ({@link #throughMap}, the
 * shape of what it did before). Run with {@code -prof gc} for the bytes each allocates:
 *
 * <pre>
 * mvn -q -o -pl engine test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
 *   "-Dexec.args=-cp %classpath org.openjdk.jmh.Main HeadsBenchmark -prof gc"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeadsBenchmark {
  private HttpServerExchange exchange;
  private Routed routed;
  private Route.Target target;
  private final Bytes bytes = new Bytes();
  private final HeaderMap map = new HeaderMap();
  private final HeaderSink intoMap = map::add;

  /** Encodes each line as it comes into one reused array, as {@code Http1Head} does. */
  private static final class Bytes implements HeaderSink {
    final byte[] b = new byte[8192];
    int at;

    @Override
    public void header(HttpString name, String value) {
      name.copyTo(b, at);
      at += name.length();
      b[at++] = ':';
      b[at++] = ' ';
      for (int i = 0; i < value.length(); i++) {
        b[at++] = (byte) value.charAt(i);
      }
      b[at++] = '\r';
      b[at++] = '\n';
    }
  }

  @Setup
  public void setUp() {
    String dtab = "/svc/users => /$/inet/127.0.0.1/8080;";
    Router router =
        new Router(Fixture.router(dtab), new Interpreter(List.of()), DtabSource.fixed(dtab), System::nanoTime);
    RoutingSnapshot snapshot = DtabSource.fixed(dtab).current();
    Path service = Path.read("/svc/users");
    target = Router.choose(router.bind(snapshot, Dtab.EMPTY, service).targets()).orElseThrow();
    routed =
        new Routed(router, snapshot, Dtab.EMPTY, service, "/svc/users", target, "/users/42", "5c3e0f6a1b2d4e7f", 0,
            "1.1 turnout-3a9f2c1b4d5e", 0);
    exchange = new HttpServerExchange(null);
    HeaderMap in = exchange.getRequestHeaders();
    in.add(new HttpString("Host"), "users");
    in.add(new HttpString("User-Agent"), "curl/8.5.0");
    in.add(new HttpString("Accept"), "*/*");
    in.add(new HttpString("Accept-Encoding"), "gzip, deflate");
    in.add(new HttpString("X-Forwarded-For"), "10.1.2.3");
    in.add(new HttpString("Cookie"), "session=8f2a9c; theme=dark");
  }

  @Benchmark
  public int direct() {
    bytes.at = 0;
    UpstreamHeaders.write(bytes, exchange, routed, target, false, false, null, null, null);
    return bytes.at;
  }

  @Benchmark
  public int throughMap() {
    map.clear();
    UpstreamHeaders.write(intoMap, exchange, routed, target, false, false, null, null, null);
    bytes.at = 0;
    long f = map.fastIterateNonEmpty();
    while (f != -1L) {
      HeaderValues values = map.fiCurrent(f);
      for (int i = 0; i < values.size(); i++) {
        bytes.header(values.getHeaderName(), values.get(i));
      }
      f = map.fiNextNonEmpty(f);
    }
    return bytes.at;
  }
}
