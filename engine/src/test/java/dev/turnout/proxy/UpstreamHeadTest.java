package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ServiceConfig;
import dev.turnout.config.TracingConfig;
import dev.turnout.tracing.TraceContext;
import dev.turnout.tracing.Tracing;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The head a backend gets, read as bytes, where this hop writes a header the caller may have sent too:
 * the backend gets one, this hop's, never the caller's beside it. And the answer a caller gets, which
 * Turnout's client parses straight into the caller's exchange: an answer that is not relayed (retried,
 * interim, broken) leaves none of its headers there.
 */
class UpstreamHeadTest {
  private ScriptedBackend backend;
  private Fixture fx;
  private Tracing tracing;

  @AfterEach
  void stop() throws IOException {
    if (fx != null) {
      fx.close();
    }
    if (tracing != null) {
      tracing.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private void start(ScriptedBackend.Script script) throws IOException {
    backend = new ScriptedBackend(script);
    fx = new Fixture(Fixture.router(dtab()));
  }

  private String dtab() {
    return "/svc/x => /$/inet/127.0.0.1/" + backend.port() + ";";
  }

  private static ScriptedBackend.Script answering(String answer) {
    return (r, out) -> {
      ScriptedBackend.send(out, answer);
      return true;
    };
  }

  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  /** The lines of {@code head} for header {@code name}, as sent. */
  private static List<String> lines(String head, String name) {
    return Arrays.stream(head.split("\r\n"))
        .filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
        .toList();
  }

  /** Sends {@code request} as it is on a connection of its own; the answer's head and what came with it. */
  private String raw(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", fx.port())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return KeepAliveTest.readUntil(s.getInputStream(), t -> t.contains("\r\n\r\n"));
    }
  }

  private String backendHead() {
    assertThat(backend.requests).hasSize(1);
    return backend.requests.get(0).head();
  }

  @Test
  void aHeldBodyGoesWithOneContentLengthThisHopsOwn() throws Exception {
    start(answering(OK));

    // a leading zero tells the caller's value from this hop's
    String answer = raw("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 05\r\n\r\nhello");

    assertThat(answer).startsWith("HTTP/1.1 200 ");
    assertThat(lines(backendHead(), "Content-Length")).containsExactly("Content-Length: 5");
    assertThat(lines(backendHead(), "Transfer-Encoding")).isEmpty();
    assertThat(backend.requests.get(0).body()).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
  }

  @Test
  void aTracedRequestGoesWithOneTraceparentAndOneL5dCtxTraceThisHopsOwn() throws Exception {
    backend = new ScriptedBackend(answering(OK));
    tracing = Tracing.start(new TracingConfig(List.of(new TracingConfig.Zipkin("127.0.0.1", 9, 1.0)), List.of(),
        Optional.empty()));
    fx = new Fixture(Fixture.router(dtab()), tracing);
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callers = "00-" + trace + "-00f067aa0ba902b7-01";
    String callersL5d = new TraceContext(0, 0x1234L, 0x77L, Optional.of(true)).l5dCtxTrace();

    HttpResponse<String> r = fx.get("x", "/", "traceparent", callers, "l5d-ctx-trace", callersL5d);

    assertThat(r.statusCode()).isEqualTo(200);
    List<String> parents = lines(backendHead(), "traceparent");
    List<String> contexts = lines(backendHead(), "l5d-ctx-trace");
    assertThat(parents).hasSize(1);
    assertThat(contexts).hasSize(1);
    String parent = value(parents.get(0));
    assertThat(parent).startsWith("00-" + trace + "-").isNotEqualTo(callers);
    assertThat(value(contexts.get(0))).isNotEqualTo(callersL5d);
    assertThat(TraceContext.fromTraceparent(parent)).isEqualTo(TraceContext.fromL5d(value(contexts.get(0))));
  }

  private static String value(String line) {
    return line.substring(line.indexOf(':') + 1).trim();
  }

  @Test
  void anUpgradeGoesWithOneConnectionAndOneUpgradeThisHopsOwn() throws Exception {
    start(answering("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));

    String answer = raw("GET /chat HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade, X-Hop\r\n"
        + "Upgrade: websocket\r\nX-Hop: 1\r\nX-End: 2\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 404 ");
    String head = backendHead();
    assertThat(lines(head, "Connection")).containsExactly("Connection: Upgrade");
    assertThat(lines(head, "Upgrade")).containsExactly("Upgrade: websocket");
    assertThat(lines(head, "X-Hop")).isEmpty();
    assertThat(lines(head, "X-End")).hasSize(1);
  }

  @Test
  void theCallersConnectionHeaderAndWhatItNamesStayWithThisHop() throws Exception {
    start(answering(OK));

    String answer = raw("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\n"
        + "X-Hop: 1\r\nX-End: 2\r\nl5d-dst-service: /svc/forged\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 200 ");
    String head = backendHead();
    assertThat(lines(head, "Connection")).isEmpty();
    assertThat(lines(head, "Keep-Alive")).isEmpty();
    assertThat(lines(head, "X-Hop")).isEmpty();
    assertThat(lines(head, "X-End")).hasSize(1);
    assertThat(lines(head, "l5d-dst-service")).containsExactly("l5d-dst-service: /svc/x");
  }

  @Test
  void aRetriedAnswerLeavesNoHeaderOnTheCallersAnswer() throws Exception {
    backend = new ScriptedBackend((r, out) -> {
      if (r.connection() == 1) {
        ScriptedBackend.send(out, "HTTP/1.1 503 Busy\r\nX-First: 1\r\nCache-Control: no-store\r\nContent-Length: 0\r\n\r\n");
      } else {
        ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nX-Second: 2\r\nContent-Length: 2\r\n\r\nok");
      }
      return true;
    });
    fx = new Fixture(Fixture.withService(Fixture.router(dtab()),
        new ServiceConfig("io.l5d.http.retryableRead5XX", 0.2, 10, Duration.ofSeconds(10))));

    HttpResponse<String> r = fx.get("x", "/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
    assertThat(backend.requests).hasSize(2);
    assertThat(r.headers().firstValue("x-second")).hasValue("2");
    assertThat(r.headers().map()).doesNotContainKeys("x-first", "cache-control");
  }

  @Test
  void aBrokenHeadThatIsRetriedLeavesNoHeaderOnTheCallersAnswer() throws Exception {
    start((r, out) -> {
      if (r.connection() == 1) {
        ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nX-Partial: 1\r\nno colon here\r\n\r\n");
        return false;
      }
      ScriptedBackend.send(out, "HTTP/1.1 200 OK\r\nX-Second: 2\r\nContent-Length: 2\r\n\r\nok");
      return true;
    });

    HttpResponse<String> r = fx.get("x", "/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(backend.requests).hasSize(2);
    assertThat(r.headers().firstValue("x-second")).hasValue("2");
    assertThat(r.headers().map()).doesNotContainKey("x-partial");
  }

  @Test
  void anInterimAnswersHeadersDoNotReachTheCaller() throws Exception {
    start(answering("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nX-Final: 1\r\nContent-Length: 2\r\n\r\nok"));

    HttpResponse<String> r = fx.get("x", "/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-final")).hasValue("1");
    assertThat(r.headers().map()).doesNotContainKey("link");
  }

  @Test
  void anAnswersHopByHopHeadersAndThoseItsConnectionNamesStayWithThisHop() throws Exception {
    start(answering("HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Named\r\nKeep-Alive: timeout=5\r\n"
        + "X-Named: 1\r\nX-Kept: 2\r\nX-Kept: 3\r\nContent-Length: 2\r\n\r\nok"));

    String answer = raw("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(lines(answer, "Keep-Alive")).isEmpty();
    assertThat(lines(answer, "X-Named")).isEmpty();
    assertThat(lines(answer, "X-Kept")).containsExactly("X-Kept: 2", "X-Kept: 3");
    assertThat(lines(answer, "Content-Length")).containsExactly("Content-Length: 2");
    assertThat(lines(answer, "l5d-success-class")).containsExactly("l5d-success-class: 1.0");
  }
}
