package dev.turnout.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Loopback ports for tests whose servers must know each other's ports before they start (routers that
 * send to each other, a PostgreSQL cluster's config): bound once by the system and let go, so free a
 * moment ago. Where a server can take port 0 and say what it got, that is better.
 */
public final class Ports {
  private Ports() {}

  public static int free() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
