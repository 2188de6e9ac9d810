package dev.turnout.proxy;

import dev.turnout.routing.DtabSource;
import dev.turnout.routing.Router;
import io.undertow.Undertow;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A started proxy: the ports it listens on, its routers, and {@link #close()} that drains. Closing stops
 * accepting new requests, waits (at most the drain bound) for requests in flight to finish, then stops
 * the servers and closes the backend connection pools and the IO threads it owns.
 */
public final class RunningProxy implements AutoCloseable {
  /** A bound listener: the router it serves and its actual address (the port is real even for 0). */
  public record Listener(String router, String host, int port) {}

  /** The servers: one for the http routers' listeners, one for each h2 router server's. */
  private final List<Undertow> undertows;
  private final List<Listener> listeners;
  /** Undertow's side of each listener, in the order of {@link #listeners}. */
  private final List<Undertow.ListenerInfo> infos;
  /** Each listener's gate, in the same order: shut until its router is opened. */
  private final List<OpenGate> gates;
  private final List<Router> routers;
  private final List<GracefulShutdownHandler> drains;
  private final List<RouterChain> handlers;
  private final List<DtabSource> sources;
  private final Pools pools;
  /** The IO threads when this proxy owns them; null when they were lent (to a warm-up). */
  private final IoThreads threads;
  private boolean closed;

  RunningProxy(
      List<Undertow> undertows,
      List<Listener> listeners,
      List<Undertow.ListenerInfo> infos,
      List<OpenGate> gates,
      List<Router> routers,
      List<GracefulShutdownHandler> drains,
      List<RouterChain> handlers,
      List<DtabSource> sources,
      Pools pools,
      IoThreads threads) {
    this.undertows = List.copyOf(undertows);
    this.listeners = List.copyOf(listeners);
    this.infos = List.copyOf(infos);
    this.gates = List.copyOf(gates);
    this.routers = List.copyOf(routers);
    this.drains = List.copyOf(drains);
    this.handlers = List.copyOf(handlers);
    this.sources = List.copyOf(sources);
    this.pools = pools;
    this.threads = threads;
  }

  Pools pools() {
    return pools;
  }

  /** The buffers of the IO threads this proxy owns (null when they were lent), for leak checks in tests. */
  io.undertow.connector.ByteBufferPool buffers() {
    return threads == null ? null : threads.buffers();
  }

  public List<Listener> listeners() {
    return listeners;
  }

  /** The first port of router {@code label}. @throws IllegalArgumentException for an unknown router */
  public int port(String label) {
    for (Listener l : listeners) {
      if (l.router().equals(label)) {
        return l.port();
      }
    }
    throw new IllegalArgumentException("no router " + label);
  }

  /**
   * Lets router {@code label} take requests: its held requests go on and its listeners start
   * accepting the connections the kernel queued meanwhile. Opening an open router does nothing.
   *
   * @throws IllegalArgumentException for an unknown router
   */
  public synchronized void open(String label) {
    boolean found = false;
    for (int i = 0; i < listeners.size(); i++) {
      if (listeners.get(i).router().equals(label)) {
        found = true;
        if (!closed && !gates.get(i).isOpen()) {
          gates.get(i).open();
          infos.get(i).resume();
        }
      }
    }
    if (!found) {
      throw new IllegalArgumentException("no router " + label);
    }
  }

  /** Whether router {@code label} takes requests (see {@link ProxyServer#bind}). */
  public boolean isOpen(String label) {
    for (int i = 0; i < listeners.size(); i++) {
      if (listeners.get(i).router().equals(label)) {
        return gates.get(i).isOpen();
      }
    }
    throw new IllegalArgumentException("no router " + label);
  }

  /** Whether every router takes requests. */
  public boolean allOpen() {
    return gates.stream().allMatch(OpenGate::isOpen);
  }

  public List<Router> routers() {
    return routers;
  }

  public Optional<Router> router(String label) {
    return routers.stream().filter(r -> r.label().equals(label)).findFirst();
  }

  /** Drains for at most 10 seconds, then stops. */
  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  public synchronized void close(Duration drain) {
    if (closed) {
      return;
    }
    closed = true;
    gates.forEach(OpenGate::close);
    drains.forEach(GracefulShutdownHandler::shutdown);
    long deadline = System.nanoTime() + drain.toNanos();
    for (GracefulShutdownHandler d : drains) {
      long left = Math.max(0, deadline - System.nanoTime()) / 1_000_000;
      try {
        d.awaitShutdown(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    try {
      handlers.forEach(RouterChain::close);
      undertows.forEach(Undertow::stop);
      pools.close();
      sources.forEach(DtabSource::close);
    } finally {
      if (threads != null) {
        // Undertow leaves the connections of a worker it did not make open: closing the threads ends them.
        threads.close();
      }
    }
  }
}
