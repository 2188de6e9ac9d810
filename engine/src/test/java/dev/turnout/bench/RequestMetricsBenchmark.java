package dev.turnout.bench;

import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.Stripe;
import dev.turnout.metrics.TrafficStats;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * What one proxied request does to the figures, as the proxy does it: the router server, the service,
 * the bound client, the service's share of that client and the endpoint each count a start, a status and
 * a finish, after the request looked each of them up. The benchmark thread is pinned to a stripe, as an
 * IO thread is. Run with {@code -prof gc}: the bytes per request are the figure that holds on a busy
 * machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestMetricsBenchmark {
  private static final Supplier<Boolean> EJECTED = () -> false;
  private ProxyMetrics metrics;

  @Setup
  public void setUp() {
    boolean owns = false;
    for (int n = 0; n < Stripe.OWNED && !owns; n++) {
      owns = Stripe.pin(n);
    }
    if (!owns) {
      throw new IllegalStateException("every owned stripe is held by a live thread");
    }
    metrics = new ProxyMetrics();
  }

  /** As the proxy does it: the stripe and the clock read once per event, the scopes found from their parents. */
  @Benchmark
  public void recordOneRequest() {
    TrafficStats server = metrics.server("web", "127.0.0.1/4140");
    server.start(Stripe.index());
    TrafficStats service = metrics.service("web", "/svc/users");
    service.start(Stripe.index());
    TrafficStats client = metrics.client("web", "#/io.l5d.fs/users");
    TrafficStats serviceClient = metrics.serviceClient(service, "#/io.l5d.fs/users");
    TrafficStats endpoint = metrics.endpoint(client, "127.0.0.1:8080", EJECTED);
    int stripe = Stripe.index();
    endpoint.start(stripe);
    client.start(stripe);
    serviceClient.start(stripe);
    stripe = Stripe.index();
    client.status(stripe, 200);
    serviceClient.status(stripe, 200);
    long now = metrics.nanos();
    endpoint.finish(stripe, now, true, "", 900_000);
    client.finish(stripe, now, true, "", 900_000);
    serviceClient.finish(stripe, now, true, "", 900_000);
    stripe = Stripe.index();
    service.status(stripe, 200);
    service.finish(stripe, metrics.nanos(), true, "", 1_000_000);
    stripe = Stripe.index();
    server.status(stripe, 200);
    server.finish(stripe, metrics.nanos(), true, "", 1_100_000);
  }

  /** Each scope on its own: the stripe and the clock read, and the scope looked up by name, per scope. */
  @Benchmark
  public void recordOneRequestScopeByScope() {
    TrafficStats server = metrics.server("web", "127.0.0.1/4140");
    server.start();
    TrafficStats service = metrics.service("web", "/svc/users");
    service.start();
    TrafficStats client = metrics.client("web", "#/io.l5d.fs/users");
    TrafficStats serviceClient = metrics.serviceClient("web", "/svc/users", "#/io.l5d.fs/users");
    TrafficStats endpoint = metrics.endpoint("web", "#/io.l5d.fs/users", "127.0.0.1:8080", EJECTED);
    endpoint.start();
    client.start();
    serviceClient.start();
    client.status(200);
    serviceClient.status(200);
    endpoint.finish(true, "", 900_000);
    client.finish(true, "", 900_000);
    serviceClient.finish(true, "", 900_000);
    service.status(200);
    service.finish(true, "", 1_000_000);
    server.status(200);
    server.finish(true, "", 1_100_000);
  }
}
