package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every buffer the proxy's servers and upstream connections take from the IO threads' pool goes back:
 * after requests with and without bodies, on connections the caller keeps or closes, none is left out.
 */
class ProxyBuffersTest {
  private final Backend users = Backend.named("users");
  private final Fixture fx =
      new Fixture(Fixture.router("/svc/users => /$/inet/127.0.0.1/" + users.port() + ";"));

  @AfterEach
  void stop() {
    fx.close();
    users.close();
  }

  @Test
  void noBufferIsLeftOutOnceTheCallersHaveGone() throws Exception {
    IoBufferPool pool = (IoBufferPool) fx.proxy.buffers();
    String body = "x".repeat(40_000); // more than two buffers
    for (int c = 0; c < 4; c++) {
      try (Socket s = new Socket("127.0.0.1", fx.port())) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        for (int i = 0; i < 10; i++) {
          String req =
              i % 2 == 0
                  ? "GET /get HTTP/1.1\r\nHost: users\r\n\r\n"
                  : "POST /post HTTP/1.1\r\nHost: users\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
          out.write(req.getBytes(StandardCharsets.US_ASCII));
          out.flush();
          String answer = KeepAliveTest.readUntil(in, text -> text.endsWith("users"));
          assertThat(answer).as("connection " + c + ", request " + i).startsWith("HTTP/1.1 200 ");
        }
      }
    }
    assertThat(users.hits.get()).isEqualTo(40);
    assertThat(pool.made()).isPositive();
    Fixture.await(() -> pool.outstanding() == 0, Duration.ofSeconds(20));
  }
}
