package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.RouterConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's own upstream client ({@link UpstreamConnection}) against a backend that answers with
 * scripted bytes: framing of every kind, split across reads however the backend writes it; interim
 * answers; when a connection may be used again and when not; and backends that break HTTP, each
 * answered 502 with {@code l5d-err} or, once the answer has begun, with the caller's connection closed.
 * And the pool's count of open connections, which caps each IO thread at 1024, comes back to what is
 * really open after every way a connection ends: a slot lost on any path would, a thousand requests
 * later, leave every request of that thread waiting for a connection.
 */
class UpstreamClientTest {
  private ScriptedBackend backend;
  private Blackhole dropping;
  private Fixture fx;

  private void start(ScriptedBackend.Script script) throws IOException {
    backend = new ScriptedBackend(script);
    fx = new Fixture(Fixture.router("/svc/x => /$/inet/127.0.0.1/" + backend.port() + ";"));
  }

  @AfterEach
  void stop() throws IOException {
    if (fx != null) {
      fx.close();
    }
    if (backend != null) {
      backend.close();
    }
    if (dropping != null) {
      dropping.close();
    }
  }

  private static String err(HttpResponse<?> r) {
    return RoutingTest.decode(r.headers().firstValue("l5d-err").orElse(""));
  }

  @Test
  void aChunkedAnswerWrittenInPiecesArrivesWholeAndItsConnectionCarriesTheNextRequests() throws Exception {
    start(
        (r, out) -> {
          if (r.onConnection() == 1) {
            ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n");
            for (String piece : new String[] {"5;ext=1\r\nhel", "lo", "\r\n6\r", "\n world\r\n", "0\r\nX-T: y\r\n", "\r\n"}) {
              ScriptedBackend.send(out, piece);
            }
          } else {
            ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
          }
          return true;
        });
    HttpResponse<String> first = fx.get("x", "/chunked");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("hello world");
    assertThat(first.headers().firstValue("x-kind")).hasValue("chunked");
    for (int i = 0; i < 20; i++) {
      assertThat(fx.get("x", "/again").body()).isEqualTo("ok");
    }
    assertThat(backend.connections.get()).isEqualTo(1);
    assertThat(backend.requests).hasSize(21);
  }

  @Test
  void aHeadWrittenInPiecesIsReadWhole() throws Exception {
    // Each piece is flushed on its own; whether the proxy reads them apart or together, the answer is
    // the same. Twenty turns make reads that end inside the head all but certain.
    start(
        (r, out) -> {
          for (String piece : new String[] {"HTTP/1.1 2", "00 OK\r\nContent-Le", "ngth: 5\r\nX-Turn: " + r.onConnection(), "\r\n", "\r\nhe", "llo"}) {
            ScriptedBackend.send(out, piece);
          }
          return true;
        });
    for (int i = 1; i <= 20; i++) {
      HttpResponse<String> r = fx.get("x", "/");
      assertThat(r.body()).isEqualTo("hello");
      assertThat(r.headers().firstValue("x-turn")).hasValue(Integer.toString(i));
    }
  }

  @Test
  void aHeadLargerThanAReadBufferIsCollectedAcrossReads() throws Exception {
    // 40 KB of headers: more than one 16 KiB buffer (and far more than the 1 KiB a small heap gets),
    // within the 64 KiB the client reads.
    String cookie = "c".repeat(40_000);
    start(
        (r, out) -> {
          ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nSet-Cookie: " + cookie + "\r\nContent-Length: 4\r\n\r\ntail");
          return true;
        });
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = fx.get("x", "/");
      assertThat(r.statusCode()).as(err(r)).isEqualTo(200);
      assertThat(r.headers().firstValue("set-cookie")).hasValue(cookie);
      assertThat(r.body()).isEqualTo("tail");
    }
    assertThat(backend.connections.get()).isEqualTo(1);
  }

  @Test
  void aChunkedAnswerThatAlsoStatesALengthReachesTheCallerWholeWithoutIt() throws Exception {
    // Transfer-Encoding wins (RFC 9112 section 6.3), and the stale length must not reach the caller,
    // which would stop reading after it.
    start(
        (r, out) -> {
          ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
          return true;
        });
    HttpResponse<String> r = fx.get("x", "/");
    assertThat(r.body()).isEqualTo("hello");
    assertThat(r.headers().firstValue("content-length")).isEmpty();
  }

  @Test
  void anHttp10AnswerWithATransferEncodingEndsItsConnection() throws Exception {
    start(
        (r, out) -> {
          ScriptedBackend.send(out, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
          return true;
        });
    assertThat(fx.get("x", "/").body()).isEqualTo("ok");
    assertThat(fx.get("x", "/").body()).isEqualTo("ok");
    assertThat(backend.connections.get()).isEqualTo(2);
  }

  @Test
  void interimAnswersAreReadPastAndNotRelayed() throws Exception {
    start(
        (r, out) -> {
          ScriptedBackend.send(out, "HTTP/1.1 100 Continue\r\n\r\n");
          ScriptedBackend.send(
              out,
              "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone");
          return true;
        });
    HttpResponse<String> r = fx.get("x", "/");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.body()).isEqualTo("done");
    assertThat(r.headers().firstValue("link")).isEmpty();
  }

  @Test
  void anAnswerWithoutALengthRunsToTheEndOfItsConnectionWhichIsNotUsedAgain() throws Exception {
    start(
        (r, out) -> {
          ScriptedBackend.send(out, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of ");
          ScriptedBackend.send(out, "it, request " + r.connection());
          return false;
        });
    assertThat(fx.get("x", "/").body()).isEqualTo("all of it, request 1");
    assertThat(fx.get("x", "/").body()).isEqualTo("all of it, request 2");
    assertThat(backend.connections.get()).isEqualTo(2);
  }

  @Test
  void aBackendThatSaysCloseGetsANewConnectionForTheNextRequest() throws Exception {
    start(
        (r, out) -> {
          ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na");
          return true; // and leaves it open: the proxy must close it
        });
    for (int i = 0; i < 3; i++) {
      assertThat(fx.get("x", "/").body()).isEqualTo("a");
    }
    assertThat(backend.connections.get()).isEqualTo(3);
  }

  @Test
  void aBackendThatClosesEachConnectionAfterAnsweringStillAnswersEveryRequest() throws Exception {
    // Keep-alive by its head, closed by its deeds: the pool must drop the connection (noticed while
    // idle, or on the next attempt, which a GET survives by a retry) rather than fail a request.
    start(
        (r, out) -> {
          ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
          return false;
        });
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> r = fx.get("x", "/" + i);
      assertThat(r.statusCode()).as("request " + i + ": " + err(r)).isEqualTo(200);
    }
  }

  @Test
  void aHeadAnswerHasNoBodyWhateverItsLengthSaysAndTheConnectionGoesOn() throws Exception {
    start(
        (r, out) -> {
          if (r.requestLine().startsWith("HEAD")) {
            ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
          } else {
            ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nbodied");
          }
          return true;
        });
    try (Socket s = new Socket("127.0.0.1", fx.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String both = KeepAliveTest.readUntil(s.getInputStream(), t -> t.endsWith("bodied"));
      assertThat(both).startsWith("HTTP/1.1 200 ");
      assertThat(both.split("HTTP/1.1 200 ", -1)).hasSize(3);
      assertThat(both).contains("Content-Length: 5\r\n");
    }
    assertThat(backend.connections.get()).isEqualTo(1);
  }

  @Test
  void aRequestHeadLargerThanABufferReachesTheBackendWhole() throws Exception {
    start(
        (r, out) -> {
          ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: " + r.head().length() + "\r\n\r\n" + r.head());
          return true;
        });
    String big = "v".repeat(24_000); // more than a 16 KiB buffer, within the 32 KiB a caller may send
    HttpResponse<String> r = fx.get("x", "/big", "X-Big", big);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("GET /big HTTP/1.1\r\n").contains("\r\nX-Big: " + big + "\r\n").endsWith("\r\n\r\n");
  }

  @Test
  void aLargeAnswerReachesACallerThatReadsSlowerThanTheBackendWrites() throws Exception {
    byte[] chunk = new byte[64 * 1024];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) ('a' + i % 26);
    }
    int chunks = 128; // 8 MiB: more than the sockets between hold, so the relay must wait for the caller
    start(
        (r, out) -> {
          if (r.requestLine().contains("/chunked")) {
            ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < chunks; i++) {
              ScriptedBackend.send(out, Integer.toHexString(chunk.length) + "\r\n");
              out.write(chunk);
              ScriptedBackend.send(out, "\r\n");
            }
            ScriptedBackend.send(out, "0\r\n\r\n");
          } else {
            ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: " + (long) chunk.length * chunks + "\r\n\r\n");
            for (int i = 0; i < chunks; i++) {
              out.write(chunk);
            }
          }
          return true;
        });
    HttpClient http = HttpClient.newHttpClient();
    for (String path : new String[] {"/fixed", "/chunked"}) {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.port() + path))
              .header("Host", "x")
              .timeout(Duration.ofSeconds(60))
              .build();
      HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      long total = 0;
      byte[] buf = new byte[1024]; // small reads: the caller is the slow side
      try (InputStream in = r.body()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          for (int i = 0; i < n; i++) {
            if (buf[i] != chunk[(int) ((total + i) % chunk.length)]) {
              throw new AssertionError(path + ": wrong byte at " + (total + i));
            }
          }
          total += n;
        }
      }
      assertThat(total).as(path).isEqualTo((long) chunk.length * chunks);
    }
    assertThat(backend.connections.get()).isEqualTo(1);
  }

  @Test
  void answersThatBreakHttpAre502WithTheReasonInL5dErr() throws Exception {
    start(
        (r, out) -> {
          String path = r.requestLine().split(" ")[1];
          switch (path) {
            case "/garbage" -> ScriptedBackend.send(out, "SMTP ready\r\n\r\n");
            case "/lengths" -> ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc");
            case "/huge-head" -> ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nX-Huge: " + "h".repeat(70_000) + "\r\n\r\n");
            case "/switch" -> ScriptedBackend.send(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: nothing\r\n\r\n");
            default -> ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
          }
          return true;
        });
    String[][] cases = {
      {"/garbage", "not an HTTP/1.x status line: SMTP ready"},
      {"/lengths", "Content-Length values disagree"},
      {"/huge-head", "an answer head larger than 65536 bytes"},
      {"/switch", "a 101 answer to a request that asked for no upgrade"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = fx.get("x", c[0]);
      assertThat(r.statusCode()).as(c[0]).isEqualTo(502);
      assertThat(err(r)).as(c[0]).contains(c[1]);
    }
    assertThat(fx.get("x", "/fine").statusCode()).isEqualTo(200);
  }

  @Test
  void aBodyCutShortClosesTheCallersConnectionAfterWhatArrived() throws Exception {
    start(
        (r, out) -> {
          ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
          return false;
        });
    try (Socket s = new Socket("127.0.0.1", fx.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] all = s.getInputStream().readAllBytes(); // returns at the proxy's close, or times out
      String text = new String(all, StandardCharsets.ISO_8859_1);
      assertThat(text).startsWith("HTTP/1.1 200 ").contains("Content-Length: 10").endsWith("\r\n\r\nabc");
    }
  }

  /** The upstream client's open connections (their pool slots). */
  private int open() {
    return fx.proxy.pools().upstreamOpen();
  }

  @Test
  void sequentialRequestsOnAKeptConnectionHoldOneSlot() throws Exception {
    start(
        (r, out) -> {
          ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
          return true;
        });
    for (int i = 0; i < 30; i++) {
      assertThat(fx.get("x", "/").statusCode()).isEqualTo(200);
    }
    assertThat(open()).isEqualTo(1);
    assertThat(backend.connections.get()).isEqualTo(1);
  }

  @Test
  void connectionsTheBackendClosesOrAnswersBadlyGiveTheirSlotsBack() throws Exception {
    start(
        (r, out) -> {
          if (r.requestLine().contains("/bad")) {
            ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
            return true;
          }
          ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
          return false; // closed once answered: seen while idle, or by the next attempt
        });
    for (int i = 0; i < 10; i++) {
      assertThat(fx.get("x", "/ok").statusCode()).isEqualTo(200);
      assertThat(fx.get("x", "/bad").statusCode()).isEqualTo(502);
    }
    Fixture.await(() -> open() == 0, Duration.ofSeconds(10));
  }

  @Test
  void aConnectGivenUpAtTheTimeoutGivesItsSlotBack() throws Exception {
    dropping = new Blackhole();
    RouterConfig r = Fixture.router("/svc/x => /$/inet/127.0.0.1/" + dropping.port() + ";");
    r = Fixture.withClient(r, new ClientConfig(r.client().failureAccrual(), r.client().loadBalancer(), Duration.ofMillis(100)));
    fx = new Fixture(r);
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> resp = fx.get("x", "/");
      assertThat(resp.statusCode()).isEqualTo(502);
    }
    // Each attempt's connect was cancelled when it timed out, not left to the kernel's two minutes.
    Fixture.await(() -> open() == 0, Duration.ofSeconds(10));
  }
}
