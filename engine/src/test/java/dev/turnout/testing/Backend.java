package dev.turnout.testing;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Undertow backend on a free loopback port, for every module's tests (the web module and the
 * browser tests reach it through the engine's test-jar): answers as told, counts its requests and
 * keeps the last request's headers and URI.
 */
public final class Backend implements AutoCloseable {
  public final String name;
  public final AtomicInteger hits = new AtomicInteger();
  public final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
  public volatile String lastUri = "";
  private Undertow server;
  private final HttpHandler handler;
  private final String host;
  private int port;

  private Backend(String name, HttpHandler handler, String host) {
    this.name = name;
    this.handler = handler;
    this.host = host;
  }

  /** A backend answering 200 with its name as the body. */
  public static Backend named(String name) {
    return start(name, ex -> ex.getResponseSender().send(name, StandardCharsets.UTF_8));
  }

  public static Backend start(String name, HttpHandler handler) {
    return start(name, handler, "127.0.0.1");
  }

  /** A backend answering 200 with its name, listening on {@code host} (a loopback address). */
  public static Backend namedOn(String name, String host) {
    return start(name, ex -> ex.getResponseSender().send(name, StandardCharsets.UTF_8), host);
  }

  public static Backend start(String name, HttpHandler handler, String host) {
    Backend b = new Backend(name, handler, host);
    b.listen(0);
    return b;
  }

  private void listen(int onPort) {
    HttpHandler counting =
        ex -> {
          hits.incrementAndGet();
          lastUri = ex.getRequestURI() + (ex.getQueryString().isEmpty() ? "" : "?" + ex.getQueryString());
          lastHeaders.clear();
          ex.getRequestHeaders().forEach(h -> lastHeaders.put(h.getHeaderName().toString().toLowerCase(), String.join(",", h)));
          handler.handleRequest(ex);
        };
    server = Undertow.builder().setServerOption(io.undertow.UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE).setIoThreads(1).setWorkerThreads(4).addHttpListener(onPort, host, counting).build();
    server.start();
    port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  public int port() {
    return port;
  }

  /** How many requests it has answered (begun answering) so far. */
  public long served() {
    return hits.get();
  }

  /** Stops listening: connections to the port are then refused. */
  public void stop() {
    server.stop();
  }

  /** Listens again on the same port. */
  public void restart() {
    listen(port);
  }

  /**
   * A backend that holds every request (on a worker thread, never the IO thread) until {@code release}
   * opens, for at most 30 seconds, then answers 200 "late": a slow or hung peer.
   */
  public static Backend heldUntil(String name, CountDownLatch release) {
    return start(
        name,
        ex ->
            ex.dispatch(
                () -> {
                  try {
                    release.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  respond(ex, 200, "late");
                }));
  }

  public static void respond(HttpServerExchange ex, int status, String body) {
    ex.setStatusCode(status);
    ex.getResponseSender().send(body, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop();
  }
}
