package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServiceConfig;
import io.undertow.server.HttpServerExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xnio.IoUtils;

/** Small request bodies are held whole, so such requests are retried like reads; larger ones stream. */
class BufferedBodyTest {
  private static final String JSON = "{\"name\":\"ada\",\"langs\":[\"en\",\"fr\"]}";

  /** What the backend received, one entry per request, in order. */
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> lengths = new CopyOnWriteArrayList<>();
  /** Answers 503 "first" to the first request and 200 "second" to the others, after reading each body. */
  private final Backend flaky = Backend.start("flaky", ex -> record(ex, bodies.isEmpty() ? 503 : 200));
  /** Answers 503 to every request, after reading its body. */
  private final Backend failing = Backend.start("failing", ex -> record(ex, 503));
  /** Drops the connection of the first request without answering, then answers 200 "second". */
  private final Backend dropsFirst =
      Backend.start(
          "drops",
          ex ->
              ex.getRequestReceiver()
                  .receiveFullString(
                      (e, body) -> {
                        bodies.add(body);
                        if (bodies.size() == 1) {
                          IoUtils.safeClose(e.getConnection());
                        } else {
                          Backend.respond(e, 200, "second");
                        }
                      }));
  private Fixture fx;

  private void record(HttpServerExchange ex, int status) {
    ex.getRequestReceiver()
        .receiveFullString(
            (e, body) -> {
              // status is decided before the body is added, so it depends on earlier requests only
              lengths.add(String.valueOf(e.getRequestHeaders().getFirst("Content-Length")));
              bodies.add(body);
              Backend.respond(e, status, status == 503 ? "first" : "second");
            },
            StandardCharsets.UTF_8);
  }

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
    flaky.close();
    failing.close();
    dropsFirst.close();
  }

  private static RouterConfig router(Backend to, String classifier) {
    return Fixture.withService(
        Fixture.router("/svc/users => /$/inet/127.0.0.1/" + to.port() + ";"),
        new ServiceConfig(classifier, 0.2, 10, Duration.ofSeconds(10)));
  }

  private HttpResponse<String> send(String method, byte[] body) {
    HttpRequest req =
        HttpRequest.newBuilder(fx.uri("/users/7"))
            .timeout(Duration.ofSeconds(20))
            .header("Host", "users")
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    try {
      return fx.http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request failed: " + e, e);
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  @Test
  void putWithJsonBodyIsRetriedAfter503AndTheBackendGetsTheSameBodyTwice() {
    fx = new Fixture(router(flaky, "io.l5d.http.retryableIdempotent5XX"));

    HttpResponse<String> r = send("PUT", JSON.getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("second");
    assertThat(bodies).containsExactly(JSON, JSON);
    assertThat(lengths).containsOnly(String.valueOf(JSON.length()));
    assertThat(fx.metrics.service("web", "/svc/users").retries()).isEqualTo(1);
  }

  @Test
  void requestWithHeldBodyIsCountedAsFinishedOnceAnswered() {
    fx = new Fixture(router(failing, "io.l5d.http.nonRetryable5XX"));

    send("POST", JSON.getBytes(StandardCharsets.UTF_8));

    Fixture.await(() -> fx.metrics.service("web", "/svc/users").requests() == 1, Duration.ofSeconds(5));
    assertThat(fx.metrics.service("web", "/svc/users").inFlight()).isZero();
  }

  @Test
  void postIsNotRetriedOn503UnderRetryableRead5XX() {
    fx = new Fixture(router(failing, "io.l5d.http.retryableRead5XX"));

    HttpResponse<String> r = send("POST", JSON.getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(bodies).containsExactly(JSON);
    assertThat(r.headers().firstValue("l5d-retryable")).isEmpty();
  }

  @Test
  void postIsNotRetriedOn503UnderNonRetryable5XX() {
    fx = new Fixture(router(failing, "io.l5d.http.nonRetryable5XX"));

    HttpResponse<String> r = send("POST", JSON.getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(failing.hits.get()).isEqualTo(1);
  }

  @Test
  void heldBodyOfAPutIsSentAgainAfterTheConnectionBreaks() {
    fx = new Fixture(router(dropsFirst, "io.l5d.http.nonRetryable5XX"));

    HttpResponse<String> r = send("PUT", JSON.getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("second");
    assertThat(bodies).containsExactly(JSON, JSON);
  }

  @Test
  void postIsNotSentAgainAfterTheConnectionBreaksOnceItWentOut() {
    // The backend may have acted on the POST before the connection broke: sending it again could
    // apply it twice.
    fx = new Fixture(router(dropsFirst, "io.l5d.http.nonRetryable5XX"));

    HttpResponse<String> r = send("POST", JSON.getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("l5d-err")).isPresent();
    assertThat(bodies).containsExactly(JSON);
  }

  @Test
  void bodyOfExactlyTheLimitIsHeldAndRetried() {
    fx = new Fixture(router(flaky, "io.l5d.http.retryableIdempotent5XX"));
    byte[] body = bytes(BufferedBody.LIMIT);

    HttpResponse<String> r = send("PUT", body);

    assertThat(r.statusCode()).isEqualTo(200);
    String sent = new String(body, StandardCharsets.UTF_8);
    assertThat(bodies).containsExactly(sent, sent);
    assertThat(lengths).containsOnly(String.valueOf(BufferedBody.LIMIT));
  }

  @Test
  void bodyOneByteOverTheLimitStreamsAndIsNotRetried() {
    fx = new Fixture(router(flaky, "io.l5d.http.retryableIdempotent5XX"));
    byte[] body = bytes(BufferedBody.LIMIT + 1);

    HttpResponse<String> r = send("PUT", body);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("l5d-retryable")).contains("true");
    assertThat(bodies).containsExactly(new String(body, StandardCharsets.UTF_8));
    assertThat(lengths).containsExactly(String.valueOf(BufferedBody.LIMIT + 1));
  }

  @Test
  void chunkedBodyStreamsAndIsNotRetried() {
    fx = new Fixture(router(flaky, "io.l5d.http.retryableIdempotent5XX"));
    HttpRequest req =
        HttpRequest.newBuilder(fx.uri("/users/7"))
            .header("Host", "users")
            .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(JSON.getBytes(StandardCharsets.UTF_8))))
            .build();

    HttpResponse<String> r;
    try {
      r = fx.http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(bodies).containsExactly(JSON);
  }

  @Test
  void callerThatEndsItsBodyShortGets400AndNothingGoesUpstream() throws IOException {
    fx = new Fixture(router(flaky, "io.l5d.http.retryableIdempotent5XX"));

    String answer;
    try (Socket s = open()) {
      OutputStream out = s.getOutputStream();
      out.write(("PUT /users/7 HTTP/1.1\r\nHost: users\r\nContent-Length: 100\r\n\r\n{\"a\":1").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      s.shutdownOutput();
      answer = readResponse(s.getInputStream());
    }

    assertThat(answer).startsWith("HTTP/1.1 400").contains("6 of the 100 bytes");
    assertThat(flaky.hits.get()).isZero();
    // the class is counted just after the failure (TrafficStats.finish): wait for both, not the first
    Fixture.await(
        () -> fx.metrics.service("web", "/svc/users").failures() == 1
            && fx.metrics.service("web", "/svc/users").failuresByClass().getOrDefault("body", 0L) == 1,
        Duration.ofSeconds(5));
    assertThat(fx.metrics.service("web", "/svc/users").failuresByClass()).containsEntry("body", 1L);
    assertThat(fx.metrics.service("web", "/svc/users").inFlight()).isZero();
  }

  @Test
  void callerThatClosesMidBodyIsCountedAndTheProxyServesTheNextRequest() throws IOException {
    fx = new Fixture(router(flaky, "io.l5d.http.retryableIdempotent5XX"));

    try (Socket s = open()) {
      OutputStream out = s.getOutputStream();
      out.write(("PUT /users/7 HTTP/1.1\r\nHost: users\r\nContent-Length: 100\r\n\r\n{\"a\":1").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    Fixture.await(() -> fx.metrics.service("web", "/svc/users").requests() == 1, Duration.ofSeconds(5));
    assertThat(fx.metrics.service("web", "/svc/users").failures()).isEqualTo(1);
    assertThat(fx.metrics.service("web", "/svc/users").inFlight()).isZero();
    assertThat(flaky.hits.get()).isZero();
    assertThat(send("PUT", JSON.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
  }

  @Test
  void callerThatStallsMidBodyTimesOutWith503() throws IOException {
    fx = new Fixture(Fixture.withTimeout(router(flaky, "io.l5d.http.retryableIdempotent5XX"), Duration.ofMillis(300)));

    String head;
    try (Socket s = open()) {
      OutputStream out = s.getOutputStream();
      out.write(("PUT /users/7 HTTP/1.1\r\nHost: users\r\nContent-Length: 100\r\n\r\n{\"a\":1").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      head = readHead(s.getInputStream());
    }

    assertThat(head).startsWith("HTTP/1.1 503");
    assertThat(flaky.hits.get()).isZero();
  }

  @Test
  void aStalledCallerIsCountedAsFinishedAtItsTimeoutAndItsConnectionClosed() throws IOException {
    fx = new Fixture(Fixture.withTimeout(router(flaky, "io.l5d.http.retryableIdempotent5XX"), Duration.ofMillis(300)));

    try (Socket s = open()) {
      OutputStream out = s.getOutputStream();
      out.write(("PUT /users/7 HTTP/1.1\r\nHost: users\r\nContent-Length: 100\r\n\r\n{\"a\":1").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 503");

      // The caller keeps its connection open and sends nothing more: the proxy does not wait to drain
      // the rest of the body, it ends the request (counted, nothing in flight) and closes the connection.
      Fixture.await(() -> fx.metrics.service("web", "/svc/users").requests() == 1, Duration.ofSeconds(5));
      assertThat(fx.metrics.service("web", "/svc/users").inFlight()).isZero();
      InputStream in = s.getInputStream();
      int next;
      do {
        next = in.read();
      } while (next >= 0);
      assertThat(next).isEqualTo(-1);
    }
  }

  @Test
  void expectContinueIsAnsweredBeforeAHeldBody() throws IOException {
    fx = new Fixture(router(flaky, "io.l5d.http.retryableIdempotent5XX"));
    bodies.add("earlier"); // so the backend answers 200 at once

    assertThat(putExpectingContinue(JSON.getBytes(StandardCharsets.UTF_8))).startsWith("HTTP/1.1 200");
    assertThat(bodies).containsExactly("earlier", JSON);
  }

  @Test
  void expectContinueIsAnsweredBeforeAStreamedBody() throws IOException {
    fx = new Fixture(router(flaky, "io.l5d.http.retryableIdempotent5XX"));
    bodies.add("earlier");
    byte[] body = bytes(BufferedBody.LIMIT + 1);

    assertThat(putExpectingContinue(body)).startsWith("HTTP/1.1 200");
    assertThat(bodies).containsExactly("earlier", new String(body, StandardCharsets.UTF_8));
  }

  /** Sends the head, waits for the 100 Continue, then sends the body; the final answer's head. */
  private String putExpectingContinue(byte[] body) throws IOException {
    try (Socket s = open()) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(("PUT /users/7 HTTP/1.1\r\nHost: users\r\nExpect: 100-continue\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readHead(in)).startsWith("HTTP/1.1 100");
      out.write(body);
      out.flush();
      String head = readHead(in);
      Fixture.await(() -> fx.metrics.service("web", "/svc/users").requests() == 1, Duration.ofSeconds(5));
      return head;
    }
  }

  private Socket open() throws IOException {
    Socket s = new Socket("127.0.0.1", fx.port());
    s.setSoTimeout(10_000); // a hang fails the test instead of stalling it
    return s;
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** The head and, by its Content-Length, the body of one response. */
  private static String readResponse(InputStream in) throws IOException {
    String head = readHead(in);
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
