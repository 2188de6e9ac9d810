package dev.turnout.naming.dnssrv;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.xbill.DNS.Message;
import org.xbill.DNS.io.DefaultIoClientFactory;
import org.xbill.DNS.io.IoClientFactory;
import org.xbill.DNS.io.TcpIoClient;
import org.xbill.DNS.io.UdpIoClient;

/**
 * dnsjava's transport with one change: each TCP query (an answer too big for a datagram) opens its own
 * connection and closes it after the answer. dnsjava's own TCP client keeps one connection per server
 * for the process's life; dnsmasq serves a TCP connection from a process forked when it was accepted,
 * so every later answer on it comes from that moment's records, and a namer refreshing over it would
 * never see a change. The connection is blocking, on {@code executor} (the namer's TCP thread), never
 * on a caller's thread.
 */
final class OneShotTcp implements IoClientFactory, TcpIoClient {
  private final IoClientFactory defaults = new DefaultIoClientFactory();
  private final Executor executor;

  OneShotTcp(Executor executor) {
    this.executor = executor;
  }

  @Override
  public TcpIoClient createOrGetTcpClient() {
    return this;
  }

  @Override
  public UdpIoClient createOrGetUdpClient() {
    return defaults.createOrGetUdpClient();
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceiveTcp(
      InetSocketAddress local, InetSocketAddress remote, Message query, byte[] data, Duration timeout) {
    return CompletableFuture.supplyAsync(() -> exchange(local, remote, data, timeout), executor);
  }

  private static byte[] exchange(InetSocketAddress local, InetSocketAddress remote, byte[] data, Duration timeout) {
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try (Socket s = new Socket()) {
      if (local != null) {
        s.bind(local);
      }
      s.connect(remote, millis);
      s.setSoTimeout(millis);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeShort(data.length);
      out.write(data);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] answer = new byte[in.readUnsignedShort()];
      in.readFully(answer);
      return answer;
    } catch (IOException e) {
      throw new CompletionException(e);
    } catch (RuntimeException e) {
      throw new CompletionException(new UncheckedIOException(new IOException(e)));
    }
  }
}
