package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.turnout.config.ConfigLoader;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.testing.Backend;
import dev.turnout.testing.Cleanup;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.BlockingHandler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 requests that are not gRPC calls, by {@code curl --http2-prior-knowledge} (the README's
 * examples), and HTTP/1.1 where an h2 router is, or HTTP/2 where an http router is.
 */
class H2PlainRequestTest {
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;
  final ProxyMetrics metrics = new ProxyMetrics(System::nanoTime, Clock.systemUTC());

  RunningProxy proxy(String protocol, String dtab) {
    String yaml = "routers:\n- protocol: " + protocol + "\n  label: r\n  servers: [{port: 0}]\n  dtab: '" + dtab + "'\n";
    return cleanup.add(ProxyServer.start(ConfigLoader.parse(yaml, dir, dir.resolve("data")).routers(),
        new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()), metrics));
  }

  /** curl's output: the response head and body, with {@code args} before the URL. */
  static String curl(String url, String... args) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/curl", "-s", "-i", "--max-time", "10"));
    cmd.addAll(List.of(args));
    cmd.add(url);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  /** An HTTP/2 (h2c prior knowledge) backend answering its name, the protocol and the body's length. */
  Undertow h2Backend(String name) {
    Undertow u = Undertow.builder()
        .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
        .addHttpListener(0, "127.0.0.1")
        .setHandler(new BlockingHandler(ex -> {
          int length = ex.getInputStream().readAllBytes().length;
          ex.getResponseSender().send(name + " " + ex.getProtocol() + " " + length);
        }))
        .build();
    u.start();
    cleanup.add(u::stop);
    return u;
  }

  static int port(Undertow u) {
    return ((java.net.InetSocketAddress) u.getListenerInfo().get(0).getAddress()).getPort();
  }

  @Test
  void aPlainHttp2RequestIsRoutedByItsAuthorityWithItsBody() throws Exception {
    Undertow users = h2Backend("users");
    RunningProxy p = proxy("h2", "/svc/users => /$/inet/127.0.0.1/" + port(users) + ";");

    String out = curl("http://127.0.0.1:" + p.port("r") + "/hello", "--http2-prior-knowledge", "-H", "Host: users",
        "-d", "some body");

    assertThat(out).startsWith("HTTP/2 200").contains("l5d-success-class: 1.0").endsWith("users HTTP/2.0 9");
  }

  @Test
  void anHttp11OnlyBackendIsABrokenConnection() throws Exception {
    Backend users = cleanup.add(Backend.named("users"));
    RunningProxy p = proxy("h2", "/svc/users => /$/inet/127.0.0.1/" + users.port() + ";");

    String out = curl("http://127.0.0.1:" + p.port("r") + "/", "--http2-prior-knowledge", "-H", "Host: users");

    assertThat(out).startsWith("HTTP/2 502").contains("l5d-err: connection%20to%20127.0.0.1");
  }

  @Test
  void aPlainHttp2RequestThatCannotBeRoutedGets502AndL5dErr() throws Exception {
    RunningProxy p = proxy("h2", "/svc/users => /$/inet/127.0.0.1/1;");

    String out = curl("http://127.0.0.1:" + p.port("r") + "/", "--http2-prior-knowledge", "-H", "Host: nobody");

    assertThat(out).startsWith("HTTP/2 502").contains("l5d-err: ").contains("svc%2Fnobody");
  }

  @Test
  void anHttp11RequestToAnH2RouterIsRefused505() throws Exception {
    RunningProxy p = proxy("h2", "/svc => /$/inet/127.0.0.1/1;");

    HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port("r") + "/")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(505);
    assertThat(r.body()).contains("h2 router");
  }

  @Test
  void anH2cPrefaceToAnHttpRouterIsRefusedWithGoawayHttp11Required() throws Exception {
    Backend users = cleanup.add(Backend.named("users"));
    RunningProxy p = proxy("http", "/svc/users => /$/inet/127.0.0.1/" + users.port() + ";");

    byte[] got;
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", p.port("r"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // the client's empty SETTINGS
      got = s.getInputStream().readAllBytes(); // until the router closes
    }

    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(got);
    assertThat(got.length).isGreaterThan(9 + 9 + 8);
    // the server's preface: an empty SETTINGS frame on stream 0
    assertThat(new byte[] {b.get(), b.get(), b.get(), b.get(), b.get()}).containsExactly(0, 0, 0, 4, 0);
    assertThat(b.getInt()).isZero();
    int length = (b.get() & 0xff) << 16 | (b.get() & 0xff) << 8 | (b.get() & 0xff);
    assertThat(b.get()).as("GOAWAY").isEqualTo((byte) 7);
    b.get();
    assertThat(b.getInt()).isZero();
    assertThat(b.getInt()).as("last stream id").isZero();
    assertThat(b.getInt()).as("HTTP_1_1_REQUIRED").isEqualTo(0xd);
    String reason = new String(got, b.position(), length - 8, StandardCharsets.US_ASCII);
    System.out.println("h2c preface to an http router: GOAWAY HTTP_1_1_REQUIRED \"" + reason + "\"");
    assertThat(reason).contains("HTTP/1.1 only");
    assertThat(users.hits.get()).isZero();
  }

  @Test
  void curlWithPriorKnowledgeIsToldTheHttpRouterWantsHttp11() throws Exception {
    Backend users = cleanup.add(Backend.named("users"));
    RunningProxy p = proxy("http", "/svc/users => /$/inet/127.0.0.1/" + users.port() + ";");

    String out = curl("http://127.0.0.1:" + p.port("r") + "/", "--http2-prior-knowledge", "-v", "-H", "Host: users");

    System.out.println("curl --http2-prior-knowledge to an http router: "
        + out.lines().filter(l -> l.contains("GOAWAY") || l.contains("HTTP_1_1") || l.startsWith("curl")).toList());
    assertThat(out).doesNotContain("users\n").doesNotStartWith("HTTP/2 200");
    // and the router still speaks HTTP/1.1 on that port
    assertThat(curl("http://127.0.0.1:" + p.port("r") + "/", "-H", "Host: users")).startsWith("HTTP/1.1 200");
  }
}
