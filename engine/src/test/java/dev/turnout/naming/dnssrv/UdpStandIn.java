package dev.turnout.naming.dnssrv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * A misbehaving DNS server on a loopback UDP port, for what dnsmasq will not do: answer each datagram
 * with what {@code reply} makes of it (garbage, say), or not at all when it gives null.
 */
final class UdpStandIn implements AutoCloseable {
  private final DatagramSocket socket;
  private final Thread thread;

  private UdpStandIn(DatagramSocket socket, UnaryOperator<byte[]> reply) {
    this.socket = socket;
    this.thread = new Thread(() -> serve(reply), "udp-stand-in " + socket.getLocalPort());
    thread.setDaemon(true);
    thread.start();
  }

  static UdpStandIn answering(int port, UnaryOperator<byte[]> reply) {
    try {
      DatagramSocket s = new DatagramSocket(null);
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return new UdpStandIn(s, reply);
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return socket.getLocalPort();
  }

  private void serve(UnaryOperator<byte[]> reply) {
    byte[] buf = new byte[4096];
    while (!socket.isClosed()) {
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(in);
        byte[] out = reply.apply(Arrays.copyOf(in.getData(), in.getLength()));
        if (out != null) {
          socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    thread.join(5_000);
  }
}
