package dev.turnout.proxy;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.FailureAccrualConfig;
import dev.turnout.config.IdentifierConfig;
import dev.turnout.config.InterpreterConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerConfig;
import dev.turnout.config.ServiceConfig;
import dev.turnout.dtab.Path;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/** A proxy under test: one router "web" on a free port, a movable clock, an HTTP client. */
public final class Fixture implements AutoCloseable {
  static {
    // Tests name services by Host, which java.net.http only lets a caller set when allowed.
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
  /** One clock object for the router and the metrics, as the process has: an event reads it once for both. */
  final LongSupplier clock = nanos::get;
  final ProxyMetrics metrics = new ProxyMetrics(clock, Clock.systemUTC());
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final RunningProxy proxy;

  Fixture(RouterConfig config) {
    this(config, r -> DtabSource.fixed(r.dtab()));
  }

  Fixture(RouterConfig config, Function<RouterConfig, DtabSource> source) {
    this(config, source, new Interpreter(List.of()));
  }

  Fixture(RouterConfig config, Interpreter interpreter) {
    this(config, r -> DtabSource.fixed(r.dtab()), interpreter);
  }

  Fixture(RouterConfig config, Function<RouterConfig, DtabSource> source, Interpreter interpreter) {
    proxy = ProxyServer.start(List.of(config), interpreter, source, metrics, clock);
  }

  /** A proxy following the requests {@code tracing} samples. */
  Fixture(RouterConfig config, dev.turnout.tracing.Tracing tracing) {
    proxy =
        ProxyServer.start(
            List.of(config), new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()), metrics, clock, tracing);
  }

  /** Router "web" naming requests by Host under {@code /svc}, routing by {@code dtab}, on a free loopback port. */
  public static RouterConfig router(String dtab) {
    return router(dtab, c -> c);
  }

  static RouterConfig router(String dtab, UnaryOperator<RouterConfig> change) {
    Path svc = Path.read("/svc");
    RouterConfig base =
        new RouterConfig(
            "web",
            "http",
            dtab,
            List.of(new IdentifierConfig("io.l5d.header.token", "Host", svc, 0, false, false, null)),
            svc,
            new InterpreterConfig("default", null),
            List.of(new ServerConfig("127.0.0.1", 0, false)),
            new ClientConfig(
                new FailureAccrualConfig(
                    "io.l5d.consecutiveFailures", 5, 0.8, 20, Duration.ofSeconds(5), Duration.ofMinutes(5)),
                "ewma",
                Duration.ofSeconds(1)),
            new ServiceConfig("io.l5d.http.nonRetryable5XX", 0.2, 10, Duration.ofSeconds(10)),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            1000,
            true);
    return change.apply(base);
  }

  static RouterConfig withService(RouterConfig r, ServiceConfig s) {
    return new RouterConfig(r.label(), r.protocol(), r.dtab(), r.identifiers(), r.dstPrefix(), r.interpreter(),
        r.servers(), r.client(), s, r.bindingTimeout(), r.requestTimeout(), r.maxCallDepth(), r.skipUnavailableAlternatives());
  }

  static RouterConfig withTimeout(RouterConfig r, Duration timeout) {
    return new RouterConfig(r.label(), r.protocol(), r.dtab(), r.identifiers(), r.dstPrefix(), r.interpreter(),
        r.servers(), r.client(), r.service(), r.bindingTimeout(), timeout, r.maxCallDepth(), r.skipUnavailableAlternatives());
  }

  static RouterConfig withIdentifiers(RouterConfig r, List<IdentifierConfig> ids) {
    return new RouterConfig(r.label(), r.protocol(), r.dtab(), ids, r.dstPrefix(), r.interpreter(),
        r.servers(), r.client(), r.service(), r.bindingTimeout(), r.requestTimeout(), r.maxCallDepth(), r.skipUnavailableAlternatives());
  }

  static RouterConfig withServer(RouterConfig r, ServerConfig s) {
    return r.withServers(List.of(s));
  }

  static RouterConfig withClient(RouterConfig r, ClientConfig c) {
    return new RouterConfig(r.label(), r.protocol(), r.dtab(), r.identifiers(), r.dstPrefix(), r.interpreter(),
        r.servers(), c, r.service(), r.bindingTimeout(), r.requestTimeout(), r.maxCallDepth(), r.skipUnavailableAlternatives());
  }

  static RouterConfig withFailover(RouterConfig r, boolean on) {
    return new RouterConfig(r.label(), r.protocol(), r.dtab(), r.identifiers(), r.dstPrefix(), r.interpreter(),
        r.servers(), r.client(), r.service(), r.bindingTimeout(), r.requestTimeout(), r.maxCallDepth(), on);
  }

  int port() {
    return proxy.port("web");
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  /** A GET through the proxy with the given Host and extra header pairs. */
  HttpResponse<String> get(String host, String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).header("Host", host);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request failed: " + e, e);
    }
  }

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  /** Waits until {@code condition} holds, failing after {@code within}. */
  static void await(BooleanSupplier condition, Duration within) {
    Await.until(within, condition);
  }

  @Override
  public void close() {
    proxy.close(Duration.ofSeconds(2));
    metrics.close();
  }
}
