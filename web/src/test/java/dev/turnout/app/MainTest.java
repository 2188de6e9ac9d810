package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void unknownFlagExitsTwoAndSaysWhich() {
    Run r = run("--frobnicate");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--frobnicate'");
  }

  @Test
  void negativeWarmupExitsTwoAndSaysWhy() {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = run("--warmup", "-1", "--data", dir.resolve("data").toString()).exit();
    } finally {
      System.setErr(oldErr);
    }

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--warmup must be 0-600 seconds, not -1");
  }

  @Test
  void theProxyPortIsBoundBeforeTheWarmUpWhichSaysWhatItDid() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TurnoutServer.Options options =
        new TurnoutServer.Options(null, dir.resolve("data"), 0, 0, false, java.time.Duration.ofSeconds(1));

    try (TurnoutServer server =
        TurnoutServer.start(options, new PrintStream(out, true, StandardCharsets.UTF_8))) {
      String printed = out.toString(StandardCharsets.UTF_8);
      assertThat(printed).containsPattern("turnout: warm-up done: [1-9]\\d* requests \\([1-9]\\d* answered 200, 0 connections broken\\)");
      // Bound first, so a taken port stops start-up before a warm-up; requests wait until it is done.
      assertThat(printed.indexOf("proxy listening")).isLessThan(printed.indexOf("warming up"));
      var health =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + server.adminPort() + "/health"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void badConfigExitsTwoNamingTheYamlPath() throws Exception {
    Path config = dir.resolve("bad.yml");
    Files.writeString(config, "routers:\n- protocol: http\n  servers: [{port: 99999}]\n");
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = run("--config", config.toString(), "--data", dir.resolve("data").toString()).exit();
    } finally {
      System.setErr(oldErr);
    }

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("turnout: routers[0].servers[0].port: must be 1-65535");
  }

  @Test
  void portZeroPrintsTheBoundPortsAndServesHealth() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TurnoutServer.Options options = new TurnoutServer.Options(null, dir.resolve("data"), 0, 0, false);

    try (TurnoutServer server =
        TurnoutServer.start(options, new PrintStream(out, true, StandardCharsets.UTF_8))) {
      String printed = out.toString(StandardCharsets.UTF_8);
      Matcher admin = Pattern.compile("turnout: admin listening on 127\\.0\\.0\\.1:(\\d+)").matcher(printed);
      assertThat(admin.find()).as(printed).isTrue();
      assertThat(printed).containsPattern("turnout: proxy listening on 127\\.0\\.0\\.1:\\d+");
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.group(1) + "/health")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);

      // An error Jetty answers before any route runs is plain text too, like the API's own.
      HttpResponse<String> tooLong =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + admin.group(1) + "/api/1/bind/default?path=/svc&dtab="
                                  + "a".repeat(20_000)))
                      .header("Accept", "*/*") // as curl sends it
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(tooLong.statusCode()).isEqualTo(414);
      assertThat(tooLong.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      assertThat(tooLong.body()).doesNotContain("<html");
    }
  }

  /** Runs the command line with System.err captured: what the process prints before it exits 2. */
  private Run runCapturingErr(String... args) {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      Run r = run(args);
      return new Run(r.exit(), r.out(), r.err() + err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(oldErr);
    }
  }

  @Test
  void aProxyOnlyProcessRefusesARouterThatWouldReadAStoreOfItsOwn() throws Exception {
    Path config = java.nio.file.Files.writeString(dir.resolve("proxy.yml"),
        "routers:\n- protocol: http\n  interpreter: {kind: io.l5d.namerd, namespace: prod}\n");

    Run r = runCapturingErr("proxy", "--config", config.toString(), "--warmup", "0", "--admin-port", "0", "--proxy-port", "0");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("routers[0].interpreter: 'turnout proxy' has no store of its own")
        .contains("io.l5d.namerd.http, dst: /$/inet/HOST/PORT, namespace: prod");
  }

  @Test
  void aProxyOnlyProcessNeedsAConfig() {
    Run r = run("proxy");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required option: '--config=FILE'");
  }

  @Test
  void aStoreUrlOfAnotherDatabaseExitsTwoAndSaysWhatItTakes() {
    Run r = runCapturingErr("--store", "jdbc:mysql://db/turnout", "--warmup", "0", "--data", dir.resolve("data").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--store: must be jdbc:postgresql://HOST:PORT/DATABASE");
  }

  @Test
  void anUnreachableStoreExitsTwoNamingItWithoutItsPassword() {
    Run r = runCapturingErr("--store", "jdbc:postgresql://127.0.0.1:1/turnout?password=hunter2", "--warmup", "0",
        "--admin-port", "0", "--proxy-port", "0", "--data", dir.resolve("data").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("cannot open the store at jdbc:postgresql://127.0.0.1:1/turnout?password=***")
        .doesNotContain("hunter2");
  }
}
