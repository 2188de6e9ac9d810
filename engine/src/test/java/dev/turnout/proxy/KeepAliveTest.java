package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One caller connection carrying many requests: the proxy keeps the connection registered for reads
 * while a bodiless request is in flight (see Forwarding.keepReading), so what the caller sends meanwhile must
 * still be answered in order, and a caller that hangs up mid-request must cost nothing else.
 */
class KeepAliveTest {
  private final Backend users = Backend.named("users");
  private final Fixture fx =
      new Fixture(Fixture.router("/svc/users => /$/inet/127.0.0.1/" + users.port() + ";"));

  @AfterEach
  void stop() {
    fx.close();
    users.close();
  }

  @Test
  void requestsSentBeforeTheAnswerAreAnsweredInOrderOnTheSameConnection() throws Exception {
    try (Socket s = new Socket("127.0.0.1", fx.port())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      String get = "GET /%s HTTP/1.1\r\nHost: users\r\n\r\n";
      // Two requests in one write: the second arrives while the first is in flight.
      out.write((get.formatted("one") + get.formatted("two")).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // Both answers may come in one read: read until two whole ones are here.
      String both = readUntil(in, text -> count(text, "HTTP/1.1 200 ") == 2 && text.endsWith("users"));
      assertThat(count(both, "\r\n\r\nusers")).isEqualTo(2);
      // Then a plain request-answer turn on the same connection: each answer whole, and nothing more.
      for (int i = 0; i < 20; i++) {
        out.write(get.formatted("again").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String turn = readUntil(in, text -> text.endsWith("\r\n\r\nusers"));
        assertThat(turn).as("turn " + i).startsWith("HTTP/1.1 200 ");
        assertThat(count(turn, "HTTP/1.1")).as("turn " + i).isEqualTo(1);
      }
    }
    assertThat(users.hits.get()).isEqualTo(22);
    assertThat(users.lastUri).isEqualTo("/again");
  }

  @Test
  void aRequestArrivingWhileTheFirstIsStillAtTheBackendWaitsItsTurn() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
    try (Backend slow =
            Backend.start(
                "slow",
                ex -> {
                  if (ex.isInIoThread()) {
                    ex.dispatch(() -> {
                      arrived.countDown();
                      try {
                        release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      ex.getResponseSender().send(ex.getRequestPath());
                    });
                  }
                });
        Fixture proxy = new Fixture(Fixture.router("/svc/slow => /$/inet/127.0.0.1/" + slow.port() + ";"));
        Socket s = new Socket("127.0.0.1", proxy.port())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write("GET /first HTTP/1.1\r\nHost: slow\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(arrived.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      // The first is held at the backend: this one reaches the proxy's socket on its own.
      out.write("GET /second HTTP/1.1\r\nHost: slow\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      release.countDown();

      String both = readUntil(s.getInputStream(), text -> text.endsWith("/second"));
      assertThat(both.indexOf("/first")).isPositive().isLessThan(both.indexOf("/second"));
      assertThat(count(both, "HTTP/1.1 200 ")).isEqualTo(2);
    }
  }

  /** Reads {@code in} until what has arrived satisfies {@code done}; fails if the connection closes first. */
  static String readUntil(InputStream in, java.util.function.Predicate<String> done) throws java.io.IOException {
    StringBuilder text = new StringBuilder();
    byte[] buf = new byte[4096];
    while (!done.test(text.toString())) {
      int n = in.read(buf);
      if (n < 0) {
        throw new AssertionError("connection closed after: " + text);
      }
      text.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
    }
    return text.toString();
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void aCallerThatHangsUpWhileItsRequestIsInFlightLeavesTheProxyServing() throws Exception {
    try (Socket s = new Socket("127.0.0.1", fx.port())) {
      s.getOutputStream().write("GET /gone HTTP/1.1\r\nHost: users\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
    }
    for (int i = 0; i < 5; i++) {
      assertThat(fx.get("users", "/after").statusCode()).isEqualTo(200);
    }
  }
}
