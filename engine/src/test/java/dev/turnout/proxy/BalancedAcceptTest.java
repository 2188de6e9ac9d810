package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ConfigLoader;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

class BalancedAcceptTest {
  static final Duration DEADLINE = Duration.ofSeconds(10);
  final IoThreads threads = IoThreads.start();
  final Queue<StreamConnection> accepted = new ConcurrentLinkedQueue<>();
  final List<Socket> callers = new ArrayList<>();
  AcceptingChannel<StreamConnection> server;

  @AfterEach
  void close() {
    callers.forEach(IoUtils::safeClose);
    accepted.forEach(IoUtils::safeClose);
    IoUtils.safeClose(server);
    threads.close();
  }

  /** A listener on the test's IO threads whose connections land in {@link #accepted}, by balanced accept. */
  BalancedAccept.Counts listen(OptionMap options, ChannelListener<StreamConnection> open) throws IOException {
    server = threads.worker().createStreamConnectionServer(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, options);
    BalancedAccept.Counts counts = threads.acceptCounts();
    BalancedAccept.of(server, counts, open).orElseThrow().install();
    server.resumeAccepts();
    return counts;
  }

  void connect(int n) throws IOException {
    int before = accepted.size();
    for (int i = 0; i < n; i++) {
      callers.add(new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.getLocalAddress()).getPort()));
    }
    Await.until("accepted " + (before + n), DEADLINE, () -> accepted.size() == before + n);
  }

  int on(int thread) {
    return (int) accepted.stream().filter(StreamConnection::isOpen).filter(c -> c.getIoThread().getNumber() == thread).count();
  }

  @Test
  void newConnectionsGoToTheIoThreadHoldingFewestSoEachHoldsItsShare() throws Exception {
    int n = threads.worker().getIoThreadCount();
    BalancedAccept.Counts counts = listen(OptionMap.EMPTY, accepted::add);

    connect(8 * n);

    for (int t = 0; t < n; t++) {
      assertThat(on(t)).as("connections on IO thread " + t).isEqualTo(8);
      assertThat(counts.open(t)).as("count of IO thread " + t).isEqualTo(8);
    }
  }

  @Test
  void aClosedConnectionIsNoLongerCountedAndItsThreadGetsTheNextOnes() throws Exception {
    int n = threads.worker().getIoThreadCount();
    BalancedAccept.Counts counts = listen(OptionMap.EMPTY, accepted::add);
    connect(4 * n);

    List<StreamConnection> onFirst = accepted.stream().filter(c -> c.getIoThread().getNumber() == 0).toList();
    for (StreamConnection c : onFirst.subList(0, 3)) {
      c.close();
    }
    assertThat(counts.open(0)).isEqualTo(1);

    connect(3);
    assertThat(on(0)).isEqualTo(4);
    assertThat(counts.open(0)).isEqualTo(4);
    for (int t = 1; t < n; t++) {
      assertThat(counts.open(t)).isEqualTo(4);
    }
  }

  @Test
  void aConnectionWhoseOpenListenerFailsIsClosedAndNoLongerCounted() throws Exception {
    int n = threads.worker().getIoThreadCount();
    BalancedAccept.Counts counts = listen(OptionMap.EMPTY, c -> {
      accepted.add(c);
      throw new IllegalStateException("a listener that breaks");
    });

    connect(2 * n);

    Await.until("every failed connection let go", DEADLINE,
        () -> IntStream.range(0, n).map(counts::open).sum() == 0);
    assertThat(accepted).noneMatch(StreamConnection::isOpen);
    // the caller sees its connection end, not hang
    callers.get(0).setSoTimeout(10_000);
    assertThat(callers.get(0).getInputStream().read()).isEqualTo(-1);
  }

  @Test
  void aConnectionGetsTheServersSocketSettingsAndCarriesBytesBothWays() throws Exception {
    OptionMap options = OptionMap.builder()
        .set(Options.TCP_NODELAY, true)
        .set(Options.KEEP_ALIVE, true)
        .set(Options.READ_TIMEOUT, 7_000)
        .set(Options.WRITE_TIMEOUT, 9_000)
        .getMap();
    // echoes what it reads, on the connection's own IO thread
    listen(options, c -> {
      accepted.add(c);
      c.getSourceChannel().setReadListener(source -> {
        ByteBuffer b = ByteBuffer.allocate(64);
        try {
          int r = source.read(b);
          if (r < 0) {
            IoUtils.safeClose(c);
          } else if (r > 0) {
            b.flip();
            c.getSinkChannel().write(b);
          }
        } catch (IOException e) {
          IoUtils.safeClose(c);
        }
      });
      c.getSourceChannel().resumeReads();
    });
    connect(1);
    StreamConnection c = accepted.peek();
    assertThat(c.getOption(Options.TCP_NODELAY)).isTrue();
    assertThat(c.getOption(Options.KEEP_ALIVE)).isTrue();
    assertThat(c.getOption(Options.READ_TIMEOUT)).isEqualTo(7_000);
    assertThat(c.getOption(Options.WRITE_TIMEOUT)).isEqualTo(9_000);

    Socket caller = callers.get(0);
    caller.setSoTimeout(10_000);
    OutputStream out = caller.getOutputStream();
    out.write("ping".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = caller.getInputStream();
    assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
  }

  @Test
  void theProxysPlaintextListenersOfBothProtocolsBalanceTheirCallersOverItsIoThreads(@TempDir Path dir) throws Exception {
    int n = threads.worker().getIoThreadCount();
    String yaml = "routers:\n"
        + "- {protocol: http, label: web, servers: [{port: 0}], dtab: '/svc=>/$/inet/127.0.0.1/1;'}\n"
        + "- {protocol: h2, label: grpc, servers: [{port: 0}], dtab: '/svc=>/$/inet/127.0.0.1/1;'}\n";
    // the proxy runs on the test's threads (closed with them), so their counts are the proxy's
    RunningProxy proxy = ProxyServer.startOnLentThreads(
        ConfigLoader.parse(yaml, dir, dir.resolve("data")).routers(),
        new Interpreter(List.of()),
        r -> DtabSource.fixed(r.dtab()),
        new ProxyMetrics(System::nanoTime, Clock.systemUTC()),
        threads);
    try {
      BalancedAccept.Counts counts = threads.acceptCounts();
      for (RunningProxy.Listener l : proxy.listeners()) {
        for (int i = 0; i < 2 * n; i++) {
          callers.add(new Socket(InetAddress.getLoopbackAddress(), l.port()));
        }
      }
      Await.until("every caller counted", DEADLINE,
          () -> IntStream.range(0, n).map(counts::open).sum() == 4 * n);
      for (int t = 0; t < n; t++) {
        assertThat(counts.open(t)).as("callers on IO thread " + t).isEqualTo(4);
      }

      callers.forEach(IoUtils::safeClose);
      Await.until("every closed caller let go", DEADLINE,
          () -> IntStream.range(0, n).map(counts::open).sum() == 0);
    } finally {
      proxy.close();
    }
  }

  @Test
  void xnioKeepsItsOwnAcceptWhenAskedTo() throws Exception {
    server = threads.worker().createStreamConnectionServer(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, OptionMap.EMPTY);
    System.setProperty("turnout.proxy.accept", "xnio");
    try {
      assertThat(BalancedAccept.of(server, threads.acceptCounts(), accepted::add)).isEmpty();
    } finally {
      System.clearProperty("turnout.proxy.accept");
    }
  }
}
