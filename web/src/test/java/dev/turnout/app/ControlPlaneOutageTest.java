package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A control plane on PostgreSQL ({@code --store}) whose database stops: it stays healthy and says why. */
class ControlPlaneOutageTest {
  @TempDir Path dir;
  private PostgresServer postgres;
  private TurnoutServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    postgres = PostgresServer.start();
    String url = postgres.newDatabase() + "?user=" + PostgresServer.USER + "&password=" + PostgresServer.PASSWORD;
    server = TurnoutServer.start(
        new TurnoutServer.Options(null, dir.resolve("data"), 0, 0, false, Duration.ZERO, url),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    server.close();
    postgres.close();
  }

  private HttpResponse<String> health() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthStaysOkAndSaysTheStoreIsNotAnsweringWhileItsDatabaseIsDown() throws Exception {
    assertThat(health().body()).isEqualTo("ok\n");

    postgres.stopServer();

    HttpResponse<String> during = health();
    assertThat(during.statusCode()).isEqualTo(200);
    assertThat(during.body()).contains("the store's database is not answering");
  }
}
