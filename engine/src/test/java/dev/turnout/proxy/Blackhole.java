package dev.turnout.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A loopback port where connection attempts are neither accepted nor refused, like a host behind a
 * dead link or a dropping firewall. The listener does not accept and its accept queue is filled first;
 * Linux then drops new connection attempts (SYNs) instead of answering them, so a connect waits until
 * the caller gives up.
 */
final class Blackhole implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Socket> queued = new ArrayList<>();

  /** Skips the calling test where this system answers connection attempts even with a full queue. */
  Blackhole() throws IOException {
    listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    for (int i = 0; i < 64; i++) {
      Socket s = new Socket();
      try {
        s.connect(listener.getLocalSocketAddress(), 300);
        queued.add(s);
      } catch (SocketTimeoutException full) {
        s.close();
        return;
      }
    }
    close();
    Assumptions.abort("the accept queue never filled: this system does not drop connection attempts");
  }

  int port() {
    return listener.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : queued) {
      s.close();
    }
  }
}
