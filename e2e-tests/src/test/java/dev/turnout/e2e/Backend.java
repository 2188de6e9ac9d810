package dev.turnout.e2e;

import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/** A real HTTP backend on a free port that answers 200 with its name and counts what it served. */
final class Backend implements AutoCloseable {
  final String name;
  private final AtomicLong served = new AtomicLong();
  private final Undertow server;

  Backend(String name) {
    this.name = name;
    this.server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setIoThreads(1)
            .setWorkerThreads(2)
            .setHandler(
                exchange -> {
                  served.incrementAndGet();
                  exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                  exchange.getResponseSender().send(name + "\n");
                })
            .build();
    server.start();
  }

  int port() {
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  long served() {
    return served.get();
  }

  @Override
  public void close() {
    server.stop();
  }
}
