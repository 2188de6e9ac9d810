package dev.turnout.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.testing.Await;
import dev.turnout.testing.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Zipkin server (the {@code zipkin-server} exec jar the build copies to {@code
 * target/zipkin/zipkin-server.jar}) run as a process of its own on a free loopback port, with its
 * in-memory storage and a small heap; its traces are read back through its own API.
 */
final class ZipkinServer implements AutoCloseable {
  private static final Path JAR = Path.of("target", "zipkin", "zipkin-server.jar");
  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  private ZipkinServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static ZipkinServer start() throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: the build's generate-test-resources copies it");
    }
    int port = Ports.free();
    Path log = Files.createTempFile("zipkin-server", ".log");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                JAR.toString(),
                "--server.port=" + port,
                "--server.address=127.0.0.1",
                "--logging.level.root=WARN")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    ZipkinServer z = new ZipkinServer(p, port);
    try {
      Await.until("Zipkin answers on port " + port, Duration.ofSeconds(90), z::healthy);
    } catch (AssertionError e) {
      z.close();
      throw new AssertionError(e.getMessage() + "; its output:\n" + Files.readString(log), e);
    }
    return z;
  }

  int port() {
    return port;
  }

  private boolean healthy() {
    if (!process.isAlive()) {
      throw new IllegalStateException("the Zipkin server exited with " + process.exitValue());
    }
    try {
      return get("/health").statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private HttpResponse<String> get(String path) throws IOException {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** The spans of trace {@code traceId} (hex), empty until Zipkin has them. */
  JsonNode trace(String traceId) {
    try {
      HttpResponse<String> r = get("/api/v2/trace/" + traceId);
      return r.statusCode() == 200 ? json.readTree(r.body()) : json.createArrayNode();
    } catch (IOException e) {
      return json.createArrayNode();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
