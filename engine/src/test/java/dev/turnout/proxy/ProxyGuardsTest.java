package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the proxy refuses before routing: loops, distrusted overrides, oversized or slow heads. */
class ProxyGuardsTest {
  private final Backend a = Backend.named("a");
  private Fixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    a.close();
  }

  private String inet(int port) {
    return "/$/inet/127.0.0.1/" + port;
  }

  @Test
  void anOverridePointingAtTheProxyItselfIsRefusedAtTheFirstRepeatedHop() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a.port()) + ";"));

    HttpResponse<String> r = fx.get("users", "/", "l5d-dtab", "/svc/users => " + inet(fx.port()));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Routing loop").contains("router web on 127.0.0.1:" + fx.port());
    assertThat(r.body()).containsPattern("its entry '1\\.1 turnout-[0-9a-f]+' is in the Via header");
    assertThat(a.hits.get()).isZero();
  }

  @Test
  void anotherTurnoutsViaEntryIsNotALoop() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a.port()) + ";"));

    HttpResponse<String> r = fx.get("users", "/", "Via", "1.1 turnout-0000aaaa, 1.1 turnout");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(a.lastHeaders.get("via")).matches("1\\.1 turnout-0000aaaa, 1\\.1 turnout, 1\\.1 turnout-[0-9a-f]+");
  }

  @Test
  void aServerThatRefusesOverridesAnswers400AndForwardsNothing() {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a.port()) + ";", r -> Fixture.withServer(r,
        new ServerConfig("127.0.0.1", 0, false, ServerConfig.Overrides.REFUSE))));

    HttpResponse<String> ctx = fx.get("users", "/", "l5d-ctx-dtab", "/svc/users => /$/inet/127.0.0.1/1");
    HttpResponse<String> dtab = fx.get("users", "/", "l5d-dtab", "/svc/users => /$/inet/127.0.0.1/1");
    HttpResponse<String> plain = fx.get("users", "/");

    assertThat(ctx.statusCode()).isEqualTo(400);
    assertThat(dtab.statusCode()).isEqualTo(400);
    assertThat(dtab.body()).contains("does not accept dtab overrides");
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(a.hits.get()).isEqualTo(1);
  }

  @Test
  void aLoopbackOnlyServerHonoursAnOverrideFromLoopback() {
    Backend b = Backend.named("b");
    try {
      fx = new Fixture(Fixture.router("/svc/users => " + inet(a.port()) + ";", r -> Fixture.withServer(r,
          new ServerConfig("127.0.0.1", 0, false, ServerConfig.Overrides.LOOPBACK))));

      HttpResponse<String> r = fx.get("users", "/", "l5d-dtab", "/svc/users => " + inet(b.port()));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(b.hits.get()).isEqualTo(1);
    } finally {
      b.close();
    }
  }

  @Test
  void aRequestHeadOverTheLimitIsNotForwarded() throws IOException {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a.port()) + ";"));

    String answer =
        raw("GET / HTTP/1.1\r\nHost: users\r\nX-Big: " + "x".repeat(100 * 1024) + "\r\nConnection: close\r\n\r\n");

    assertThat(answer).doesNotStartWith("HTTP/1.1 200");
    assertThat(a.hits.get()).isZero();
  }

  @Test
  void aCallerThatNeverFinishesItsHeadersIsCutOff() throws IOException {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a.port()) + ";"));

    try (Socket s = new Socket("127.0.0.1", fx.port())) {
      s.setSoTimeout((int) ProxyServer.PARSE_TIMEOUT.plusSeconds(20).toMillis());
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: users\r\nX-Slow: a".getBytes(StandardCharsets.US_ASCII));
      out.flush();

      // the proxy closes the connection (end of stream, or a reset) well before the socket timeout
      int read;
      try {
        read = s.getInputStream().read();
      } catch (java.net.SocketException reset) {
        read = -1;
      }
      assertThat(read).isEqualTo(-1);
    }
    assertThat(a.hits.get()).isZero();
  }

  @Test
  void anHttp09RequestLineIsAnswered505AndNotForwarded() throws IOException {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a.port()) + ";"));

    String answer = raw("GET / HTTP/0.9\r\nHost: users\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 505 ");
    assertThat(answer).contains("l5d-err: HTTP%20version%20HTTP%2F0.9%20is%20not%20supported");
    assertThat(answer).contains("Connection: close");
    assertThat(a.hits.get()).isZero();
  }

  @Test
  void http10And11AreRoutedAndAHigherMinorVersionAs11() throws IOException {
    fx = new Fixture(Fixture.router("/svc/users => " + inet(a.port()) + ";"));

    assertThat(raw("GET / HTTP/1.0\r\nHost: users\r\n\r\n")).startsWith("HTTP/1.0 200 ");
    assertThat(raw("GET / HTTP/1.1\r\nHost: users\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
    // RFC 9110 section 2.5: a 1.1 recipient treats a later 1.x as the highest minor version it knows
    assertThat(raw("GET / HTTP/1.7\r\nHost: users\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
    assertThat(a.hits.get()).isEqualTo(3);
  }

  /** Sends {@code request} on a new connection and reads what comes back until the proxy closes it. */
  private String raw(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", fx.port())) {
      s.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      StringBuilder got = new StringBuilder();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
          if (got.indexOf("\r\n\r\n") >= 0 && got.indexOf("Content-Length: ") >= 0) {
            break;
          }
        }
      } catch (java.net.SocketException reset) {
        // closed on us mid-request, which is an answer too
      }
      return got.toString();
    }
  }
}
