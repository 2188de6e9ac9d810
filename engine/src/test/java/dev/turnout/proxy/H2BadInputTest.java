package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ConfigLoader;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.testing.Cleanup;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an h2 router answers to callers that break HTTP/2's rules or never finish, frame by frame
 * ({@link H2Wire}), with RFC 9113's error codes: a stream reset ({@code RST_STREAM}) where one stream is
 * at fault, the connection ended ({@code GOAWAY}) where the connection is.
 */
class H2BadInputTest {
  static final int NO_ERROR = 0, PROTOCOL_ERROR = 1, REFUSED_STREAM = 7, FRAME_SIZE_ERROR = 6, CANCEL = 8;

  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;
  final ProxyMetrics metrics = new ProxyMetrics(System::nanoTime, Clock.systemUTC());

  int proxy(String dtab, String routerKeys, String serverKeys) {
    String yaml = "routers:\n- protocol: h2\n  label: r\n" + routerKeys + "  servers: [{port: 0" + serverKeys + "}]\n  dtab: '"
        + dtab + "'\n";
    return cleanup.add(ProxyServer.start(ConfigLoader.parse(yaml, dir, dir.resolve("data")).routers(),
        new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()), metrics)).port("r");
  }

  H2Wire wire(int port) throws Exception {
    return cleanup.add(new H2Wire(port));
  }

  @Test
  void aStreamThatNeverSendsItsBodyIsAnsweredAndResetAfterTheRequestTimeout() throws Exception {
    GrpcEcho users = cleanup.add(new GrpcEcho("users"));
    int port = proxy("/svc/users => /$/inet/127.0.0.1/" + users.port() + ";", "  requestTimeoutMs: 1000\n", "");
    H2Wire w = wire(port);
    long t0 = System.nanoTime();

    w.grpcHead(1, "users", "/test.Echo/Unary"); // and nothing more: no DATA, no END_STREAM
    List<H2Wire.Frame> got = w.readUntil(f -> f.stream() == 1 && f.type() == H2Wire.RST_STREAM);

    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("a stream that never sends, after " + ms + " ms: " + got);
    assertThat(ms).isGreaterThanOrEqualTo(900);
    assertThat(got).anySatisfy(f -> {
      assertThat(f.type()).isEqualTo(H2Wire.HEADERS);
      assertThat(f.flags() & H2Wire.END_STREAM).as("a trailers-only answer").isEqualTo(H2Wire.END_STREAM);
    });
    H2Wire.Frame last = got.get(got.size() - 1);
    assertThat(last.type()).isEqualTo(H2Wire.RST_STREAM);
    // RFC 9113 section 8.1: a complete answer before the request ended, then RST_STREAM NO_ERROR
    assertThat(last.code()).isEqualTo(NO_ERROR);
  }

  @Test
  void aCallerThatEndedItsRequestGetsTheEarlyAnswerWithoutAReset() throws Exception {
    int port = proxy("/svc/users => /$/inet/127.0.0.1/1;", "", "");
    H2Wire w = wire(port);

    // a whole request, body and END_STREAM, for a name nothing binds: answered without reading the body
    w.headers(1, false, ":method", "POST", ":scheme", "http", ":path", "/", ":authority", "nobody");
    w.frame(H2Wire.DATA, H2Wire.END_STREAM, 1, "some body".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    List<H2Wire.Frame> got = w.readUntil(f -> f.stream() == 1 && (f.flags() & H2Wire.END_STREAM) != 0 || f.type() == H2Wire.RST_STREAM);
    w.frame(H2Wire.PING, 0, 0, new byte[8]);
    got.addAll(w.readUntil(f -> f.type() == H2Wire.PING && (f.flags() & H2Wire.ACK) != 0));

    System.out.println("an early answer to an ended request: " + got);
    assertThat(got).anySatisfy(f -> assertThat(f.type()).isEqualTo(H2Wire.HEADERS));
    assertThat(got).noneSatisfy(f -> assertThat(f.type()).isEqualTo(H2Wire.RST_STREAM));
  }

  @Test
  void aStreamPastMaxConcurrentStreamsIsRefused() throws Exception {
    GrpcEcho users = cleanup.add(new GrpcEcho("users"));
    int port = proxy("/svc/users => /$/inet/127.0.0.1/" + users.port() + ";", "", ", maxConcurrentStreamsPerConnection: 2");
    H2Wire w = wire(port);

    w.grpcHead(1, "users", "/test.Echo/Unary");
    w.grpcHead(3, "users", "/test.Echo/Unary");
    w.grpcHead(5, "users", "/test.Echo/Unary");
    List<H2Wire.Frame> got = w.readUntil(f -> f.type() == H2Wire.RST_STREAM || f.type() == H2Wire.GOAWAY);

    System.out.println("a third stream past 2: " + got);
    H2Wire.Frame last = got.get(got.size() - 1);
    assertThat(last.type()).isEqualTo(H2Wire.RST_STREAM);
    assertThat(last.stream()).isEqualTo(5);
    assertThat(last.code()).isEqualTo(REFUSED_STREAM);
  }

  @Test
  void aFrameLargerThanMaxFrameBytesEndsTheConnectionWithFrameSizeError() throws Exception {
    int port = proxy("/svc => /$/inet/127.0.0.1/1;", "", "");
    H2Wire w = wire(port);

    w.grpcHead(1, "users", "/test.Echo/Unary");
    w.frame(H2Wire.DATA, 0, 1, new byte[16_384 + 1]);
    List<H2Wire.Frame> got = w.readUntil(f -> f.type() == H2Wire.GOAWAY);

    System.out.println("a frame of 16385 bytes: " + got);
    assertThat(got).isNotEmpty();
    assertThat(got.get(got.size() - 1).type()).isEqualTo(H2Wire.GOAWAY);
    assertThat(got.get(got.size() - 1).code()).isEqualTo(FRAME_SIZE_ERROR);
  }

  @Test
  void dataOnStreamZeroEndsTheConnectionWithProtocolError() throws Exception {
    int port = proxy("/svc => /$/inet/127.0.0.1/1;", "", "");
    H2Wire w = wire(port);

    w.frame(H2Wire.DATA, 0, 0, new byte[4]);
    List<H2Wire.Frame> got = w.readUntil(f -> f.type() == H2Wire.GOAWAY);

    System.out.println("DATA on stream 0: " + got);
    assertThat(got).isNotEmpty();
    assertThat(got.get(got.size() - 1).type()).isEqualTo(H2Wire.GOAWAY);
    assertThat(got.get(got.size() - 1).code()).isEqualTo(PROTOCOL_ERROR);
  }

  @Test
  void anUppercaseHeaderNameIsAMalformedRequest() throws Exception {
    int port = proxy("/svc => /$/inet/127.0.0.1/1;", "", "");
    H2Wire w = wire(port);

    w.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "users", "X-Upper", "1");
    List<H2Wire.Frame> got = w.readUntil(f -> f.type() == H2Wire.RST_STREAM || f.type() == H2Wire.GOAWAY);

    System.out.println("an uppercase header name: " + got);
    assertThat(got).isNotEmpty();
    // RFC 9113 section 8.2.1: malformed, a stream error of type PROTOCOL_ERROR
    assertThat(got.get(got.size() - 1).code()).isEqualTo(PROTOCOL_ERROR);
  }

  @Test
  void aHeaderListOverMaxHeaderListBytesEndsTheConnection() throws Exception {
    int port = proxy("/svc => /$/inet/127.0.0.1/1;", "", ", maxHeaderListBytes: 1024");
    H2Wire w = wire(port);

    w.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "users", "x-big", "a".repeat(4000));
    List<H2Wire.Frame> got = w.readUntil(f -> f.type() == H2Wire.RST_STREAM || f.type() == H2Wire.GOAWAY
        || (f.type() == H2Wire.HEADERS && f.stream() == 1));

    System.out.println("a header list of 4 KB over 1 KiB: " + got);
    // Undertow ends the connection (RFC 9113 section 10.5.1 also allows a 431 answer instead)
    assertThat(got).isNotEmpty();
    assertThat(got.get(got.size() - 1).type()).isEqualTo(H2Wire.GOAWAY);
    assertThat(got.get(got.size() - 1).code()).isEqualTo(PROTOCOL_ERROR);
  }
}
