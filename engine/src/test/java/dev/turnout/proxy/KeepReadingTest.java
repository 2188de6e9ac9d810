package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.Undertow;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Forwarding.keepReading} against Undertow itself: a server whose handler reports whether the
 * caller's socket is registered for reads before and after the call. Undertow switches reading off for
 * every request; the call switches it back on only where nothing more is to be read and the connection
 * stays open. (If an Undertow upgrade stops switching it off, "before" tells.)
 */
class KeepReadingTest {
  private Undertow server;
  private int port;

  @BeforeEach
  void start() {
    server =
        Undertow.builder()
            .setIoThreads(1)
            .setWorkerThreads(1)
            .addHttpListener(0, "127.0.0.1", KeepReadingTest::report)
            .build();
    server.start();
    port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private static void report(HttpServerExchange exchange) {
    var conduit = ((AbstractServerConnection) exchange.getConnection()).getOriginalSourceConduit();
    boolean before = conduit.isReadResumed();
    Forwarding.keepReading(exchange);
    boolean after = conduit.isReadResumed();
    exchange.getResponseSender().send(before + "/" + after);
  }

  @Test
  void aBodilessRequestOnAKeptConnectionStaysRegistered() throws Exception {
    assertThat(send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo("false/true");
  }

  @Test
  void requestsWithNothingMoreToReadOrAConnectionClosingAreLeftAsUndertowSetThem() throws Exception {
    assertThat(send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).isEqualTo("false/false");
    assertThat(send("GET / HTTP/1.0\r\n\r\n")).isEqualTo("false/false");
    assertThat(send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")).isEqualTo("false/false");
    assertThat(send("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"))
        .isEqualTo("false/false");
  }

  /** Sends one request on a new connection and returns the answer's body. */
  private String send(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      StringBuilder text = new StringBuilder();
      byte[] buf = new byte[1024];
      while (!text.toString().matches("(?s).*\r\n\r\n(true|false)/(true|false)")) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        text.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
      String all = text.toString();
      return all.substring(all.indexOf("\r\n\r\n") + 4);
    }
  }
}
