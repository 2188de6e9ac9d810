package dev.turnout.proxy;

import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Optional;

/**
 * A router's server could not listen on its address, most often because another process holds the
 * port. The message names the address, the router, the config key that sets the port and the
 * command-line flag that overrides it, so an operator knows at once what to change.
 */
public final class ProxyBindException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private ProxyBindException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Fails at once when any fixed address of {@code routers} cannot be bound now, before a process
   * spends seconds opening its store or hashing a password only to find its port taken. Each address
   * is bound and let go again; the real listeners bind later, so this is a check, not a reservation.
   *
   * @throws ProxyBindException naming the first address that cannot be bound
   */
  public static void check(List<RouterConfig> routers) {
    Optional<ProxyBindException> taken = find(routers, null);
    if (taken.isPresent()) {
      throw taken.get();
    }
  }

  /**
   * Which of {@code routers}' addresses could not be bound, found by trying each fixed one again on
   * its own (Undertow's failure does not say which), or empty when each binds now.
   */
  static Optional<ProxyBindException> find(List<RouterConfig> routers, RuntimeException failure) {
    for (int i = 0; i < routers.size(); i++) {
      RouterConfig r = routers.get(i);
      for (int j = 0; j < r.servers().size(); j++) {
        ServerConfig s = r.servers().get(j);
        Optional<String> why = bindFails(s);
        if (why.isPresent()) {
          String sets = "its servers[" + j + "].port in the config" + (i == 0 && j == 0 ? ", or --proxy-port" : "");
          return Optional.of(
              new ProxyBindException(
                  "cannot listen on " + s.ip() + ":" + s.port() + " for router " + r.label() + " (set by " + sets
                      + "): " + why.get(),
                  failure));
        }
      }
    }
    return Optional.empty();
  }

  /** Why {@code server}'s address cannot be bound now, or empty when it can (or is port 0). */
  private static Optional<String> bindFails(ServerConfig server) {
    return bindFails(server.ip(), server.port());
  }

  /** Why {@code ip:port} cannot be bound now, or empty when it can (or {@code port} is 0). */
  public static Optional<String> bindFails(String ip, int port) {
    if (port == 0) {
      return Optional.empty();
    }
    try (ServerSocketChannel probe = ServerSocketChannel.open()) {
      probe.bind(new InetSocketAddress(ip, port));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }
}
