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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one proxied request does to the figures, as the proxy does it: the router server, the service,
 * the bound client, the service's share of that client and the endpoint each count a start, a status and
 * a finish, after the request looked each of them up. The benchmark thread owns a stripe, as an IO
 * thread does, or (parameter {@code stripe=shared}) writes a shared one, as any other thread does. Run with {@code -prof gc}: the bytes per request are the figure that holds on a busy
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

  /** {@code owned}: the thread owns its stripe, as an IO thread does; {@code shared}: it writes a shared one. */
  @Param({"owned", "shared"})
  public String stripe;

  @Setup
  public void setUp() {
    if (stripe.equals("shared")) {
      if (Stripe.index() < Stripe.OWNED) {
        throw new IllegalStateException("an unpinned thread was given an owned stripe");
      }
    } else {
      boolean owns = false;
      for (int n = 0; n < Stripe.OWNED && !owns; n++) {
        owns = Stripe.pin(n);
      }
      if (!owns) {
        throw new IllegalStateException("every owned stripe is held by a live thread");
      }
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
    int at = Stripe.index();
    endpoint.start(at);
    client.start(at);
    serviceClient.start(at);
    at = Stripe.index();
    client.status(at, 200);
    serviceClient.status(at, 200);
    long now = metrics.nanos();
    endpoint.finish(at, now, true, "", 900_000);
    client.finish(at, now, true, "", 900_000);
    serviceClient.finish(at, now, true, "", 900_000);
    at = Stripe.index();
    service.status(at, 200);
    service.finish(at, metrics.nanos(), true, "", 1_000_000);
    at = Stripe.index();
    server.status(at, 200);
    server.finish(at, metrics.nanos(), true, "", 1_100_000);
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
