package dev.turnout.app;

import dev.turnout.config.InterpreterConfig;
import dev.turnout.config.NamerConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.dtab.Path;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --demo}: a small world to route. Backends for {@code users} (v1 on two instances, v2 on one,
 * set up as a 100/0 canary ready to slide) and {@code orders} (east, with west as its failover), each a
 * file in a demo folder bound by {@code io.l5d.fs}; a demo namespace in the store that the first router
 * follows; and light steady traffic through the proxy, so the dashboard shows live routing at once.
 */
final class Demo implements AutoCloseable {
  static final String NAMESPACE = "default";

  static final String DTAB =
      """
      # Turnout demo: each service is a file in the demo folder, bound by io.l5d.fs.
      /svc => /#/io.l5d.fs;

      # users: a canary ready to slide. Move the weights in the dashboard's editor.
      /svc/users => 100 * /#/io.l5d.fs/users-v1 & 0 * /#/io.l5d.fs/users-v2;

      # orders: east while it answers, west when it does not.
      /svc/orders => /#/io.l5d.fs/orders-east | /#/io.l5d.fs/orders-west;
      """;

  private final List<Undertow> backends = new ArrayList<>();
  private final java.nio.file.Path disco;
  private ScheduledExecutorService traffic;

  private Demo(java.nio.file.Path disco) {
    this.disco = disco;
  }

  /** Starts the demo backends and writes their files; the returned config routes by the demo namespace. */
  static Demo startBackends(java.nio.file.Path dataDir) {
    java.nio.file.Path disco = dataDir.resolve("demo-disco");
    Demo demo = new Demo(disco);
    try {
      Files.createDirectories(disco);
      Map<String, List<Integer>> services = new LinkedHashMap<>();
      services.put("users-v1", List.of(demo.backend("users", "v1", 6, 0.0), demo.backend("users", "v1", 9, 0.0)));
      services.put("users-v2", List.of(demo.backend("users", "v2", 12, 0.02)));
      services.put("orders-east", List.of(demo.backend("orders", "east", 5, 0.0)));
      services.put("orders-west", List.of(demo.backend("orders", "west", 25, 0.0)));
      for (Map.Entry<String, List<Integer>> e : services.entrySet()) {
        StringBuilder lines = new StringBuilder("# demo backends of " + e.getKey() + "\n");
        for (int port : e.getValue()) {
          lines.append("127.0.0.1 ").append(port).append('\n');
        }
        Files.writeString(disco.resolve(e.getKey()), lines);
      }
    } catch (IOException e) {
      demo.close();
      throw new UncheckedIOException("demo: cannot write " + disco + ": " + e.getMessage(), e);
    }
    return demo;
  }

  /** {@code config} with the demo namer mounted and its first router following the demo namespace. */
  TurnoutConfig configure(TurnoutConfig config) {
    List<NamerConfig> namers = new ArrayList<>();
    Path fs = Path.read("/#/io.l5d.fs");
    for (NamerConfig n : config.namers()) {
      if (!n.prefix().equals(fs)) {
        namers.add(n);
      }
    }
    namers.add(new NamerConfig.Fs(fs, disco));
    List<RouterConfig> routers = new ArrayList<>(config.routers());
    RouterConfig first = routers.get(0);
    routers.set(
        0,
        new RouterConfig(
            first.label(), first.protocol(), first.dtab(), first.identifiers(), first.dstPrefix(),
            new InterpreterConfig(InterpreterConfig.STORE, NAMESPACE), first.servers(), first.client(),
            first.service(), first.bindingTimeout(), first.requestTimeout(), first.maxCallDepth(),
            first.skipUnavailableAlternatives(), first.accessLog()));
    return new TurnoutConfig(
        config.admin(), namers, routers, config.storage(), config.telemetry(), config.tracing(), config.warnings(),
        config.unimplemented());
  }

  private int backend(String service, String version, int latencyMs, double errorRate) {
    AtomicInteger served = new AtomicInteger();
    Undertow server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setIoThreads(1)
            .setWorkerThreads(1)
            .setHandler(exchange -> answerLater(exchange, service, version, latencyMs, errorRate, served))
            .build();
    server.start();
    backends.add(server);
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** Answers after a jittered delay, scheduled on the IO thread so no thread waits. */
  private static void answerLater(
      HttpServerExchange exchange, String service, String version, int latencyMs, double errorRate, AtomicInteger served) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long delay = Math.max(1, Math.round(latencyMs * (0.5 + r.nextDouble())));
    boolean fail = r.nextDouble() < errorRate;
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () ->
            exchange
                .getIoThread()
                .executeAfter(
                    () -> {
                      exchange.setStatusCode(fail ? 500 : 200);
                      exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                      exchange
                          .getResponseSender()
                          .send(
                              "{\"service\":\"" + service + "\",\"version\":\"" + version
                                  + "\",\"served\":" + served.incrementAndGet() + "}\n");
                    },
                    delay,
                    TimeUnit.MILLISECONDS));
  }

  /** Sends about 12 requests a second through the proxy: two thirds to users, one third to orders. */
  void startTraffic(String proxyHost, int proxyPort, PrintStream out) {
    // The demo names services by Host, which java.net.http only lets a caller set when allowed.
    allowHostHeader();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    AtomicInteger inFlight = new AtomicInteger();
    traffic =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "turnout-demo-traffic");
              t.setDaemon(true);
              return t;
            });
    URI uri = URI.create("http://" + proxyHost + ":" + proxyPort + "/");
    AtomicInteger tick = new AtomicInteger();
    traffic.scheduleAtFixedRate(
        () -> {
          if (inFlight.get() > 50) {
            return;
          }
          String host = tick.incrementAndGet() % 3 == 0 ? "orders" : "users";
          HttpRequest req =
              HttpRequest.newBuilder(uri).header("Host", host).timeout(Duration.ofSeconds(5)).GET().build();
          inFlight.incrementAndGet();
          client
              .sendAsync(req, HttpResponse.BodyHandlers.discarding())
              .whenComplete((res, err) -> inFlight.decrementAndGet());
        },
        500,
        83,
        TimeUnit.MILLISECONDS);
    out.println(
        "turnout: demo traffic flowing; try: curl -H 'Host: users' http://" + proxyHost + ":" + proxyPort + "/");
  }

  /** Lets java.net.http send a caller's {@code Host} header; must run before its first use. */
  static void allowHostHeader() {
    String allowed = System.getProperty("jdk.httpclient.allowRestrictedHeaders", "");
    if (!allowed.toLowerCase(java.util.Locale.ROOT).contains("host")) {
      System.setProperty(
          "jdk.httpclient.allowRestrictedHeaders", allowed.isEmpty() ? "host" : allowed + ",host");
    }
  }

  @Override
  public void close() {
    if (traffic != null) {
      traffic.shutdownNow();
    }
    for (Undertow b : backends) {
      b.stop();
    }
  }
}
