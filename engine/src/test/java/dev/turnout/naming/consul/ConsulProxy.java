package dev.turnout.naming.consul;

import dev.turnout.config.RouterConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.proxy.ProxyServer;
import dev.turnout.proxy.RunningProxy;
import dev.turnout.routing.DtabSource;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** A real proxy with one router "web" routing by Host through {@code /svc} and a consul namer. */
final class ConsulProxy implements AutoCloseable {
  static {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  private final ProxyMetrics metrics = new ProxyMetrics();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final RunningProxy proxy;

  ConsulProxy(String dtab, ConsulNamer namer) {
    RouterConfig router = dev.turnout.proxy.Fixture.router(dtab);
    Interpreter interpreter = new Interpreter(List.of(new Interpreter.Mount(namer.mountPrefix(), namer)));
    proxy = ProxyServer.start(List.of(router), interpreter, r -> DtabSource.fixed(r.dtab()), metrics);
  }

  /** A GET of {@code /} with Host {@code host} through the proxy. */
  HttpResponse<String> get(String host) {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port("web") + "/"))
            .timeout(Duration.ofSeconds(20))
            .header("Host", host)
            .build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request failed: " + e, e);
    }
  }

  /** The body of a GET through the proxy: the backend's name when routed. */
  String body(String host) {
    return get(host).body();
  }

  /** The proxy's {@code l5d-err}, decoded; empty string when absent. */
  static String err(HttpResponse<String> r) {
    return r.headers().firstValue("l5d-err").map(e -> URLDecoder.decode(e, StandardCharsets.UTF_8)).orElse("");
  }

  @Override
  public void close() {
    proxy.close(Duration.ofSeconds(2));
    metrics.close();
  }
}
