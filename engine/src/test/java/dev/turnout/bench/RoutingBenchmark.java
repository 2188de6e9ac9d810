package dev.turnout.bench;

import dev.turnout.config.RouterConfig;
import dev.turnout.dtab.Dtab;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.TrafficStats;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.routing.Identification;
import dev.turnout.routing.RequestHead;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import dev.turnout.routing.RoutingSnapshot;
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
 * The proxy's per-request routing work without any I/O: identify by Host, look up the cached bound tree
 * for a 90/10 union, choose a branch, pick an endpoint, and record the request in the metrics, as one
 * request does. Run with {@code java -cp <test classpath> org.openjdk.jmh.Main RoutingBenchmark}; the
 * end-to-end figures come from {@code /work/shared/bench/peers.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingBenchmark {
  private Router router;
  private RoutingSnapshot snapshot;
  private RequestHead head;
  private ProxyMetrics metrics;

  @Setup
  public void setUp() {
    String dtab = "/svc/users => 9 * /$/inet/127.0.0.1/8080 & 1 * /$/inet/127.0.0.1/8081;";
    RouterConfig config = BenchRouters.config(dtab);
    DtabSource source = DtabSource.fixed(dtab);
    router = new Router(config, new Interpreter(List.of()), source, System::nanoTime);
    snapshot = source.current();
    head = RequestHead.of("GET", "/users/42", "", "HTTP/1.1", name -> "users");
    metrics = new ProxyMetrics();
  }

  @Benchmark
  public Object routeOneRequest() {
    Identification id = router.identify(head).orElseThrow();
    Route route = router.bind(snapshot, Dtab.EMPTY, id.service());
    Route.Target target = Router.choose(route.targets()).orElseThrow();
    var endpoint = target.client().pick(List.of()).orElseThrow();
    TrafficStats stats = metrics.service(router.label(), route.service());
    stats.start();
    stats.finish(true, "", 1_000_000);
    return endpoint;
  }
}
