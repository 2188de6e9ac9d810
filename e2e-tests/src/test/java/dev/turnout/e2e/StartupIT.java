package dev.turnout.e2e;

import dev.turnout.testing.Backend;
import dev.turnout.testing.Cleanup;
import dev.turnout.testing.Http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Start-up as an operator meets it, with real processes: a config Turnout cannot honour stops it at
 * once (exit 2, one line naming the YAML path), a taken port stops it before any warm-up, and a proxy
 * that follows a control plane takes no request before it knows its routes, so a proxy started into
 * traffic answers every request.
 */
class StartupIT {
  @TempDir Path dir;
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "storage: {kind: io.l5d.zk, zkAddrs: [{host: 127.0.0.1, port: 2181}]}"
          + "|storage.kind: storage kind io.l5d.zk is not implemented by Turnout; use kind: postgresql",
      "routers: [{protocol: thrift, servers: [{port: 0}]}, {protocol: http, servers: [{port: 0}]}]"
          + "|routers[0].protocol: protocol thrift is not implemented by Turnout (its routers serve http and h2); remove this router, or start with --skip-unimplemented",
      "routers: [{protocol: mux, servers: [{port: 0}]}]"
          + "|routers[0].protocol: protocol mux is not implemented by Turnout",
      "{namers: [{kind: io.l5d.fs, rootDir: ., tls: {commonName: namer.example.org}}], routers: [{protocol: http, servers: [{port: 0}]}]}"
          + "|namers[0].tls: TLS is not implemented by Turnout yet",
      "routers: [{protocol: http, servers: [{port: 0}], client: {kind: io.l5d.static, configs: [{prefix: /, tls: {commonName: users.example.org, trustCertsBundle: missing.pem}}]}}]"
          + "|routers[0].client.configs[0].tls.trustCertsBundle",
  })
  void aConfigAskingForWhatTurnoutLacksExits2WithItsLine(String config, String line) throws IOException {
    Path file = Files.writeString(dir.resolve("linkerd.yml"), config + "\n");

    long start = System.nanoTime();
    JarProcess turnout = cleanup.add(JarProcess.start("refused", Map.of(),
        "--config", file.toString(), "--admin-port", "0", "--data", dir.resolve("data").toString()));
    int code = turnout.exitCode(Duration.ofSeconds(60));

    System.out.println("exit " + code + " after " + (System.nanoTime() - start) / 1_000_000 + " ms (JVM start included)");
    assertThat(code).as(turnout.output()).isEqualTo(2);
    assertThat(turnout.output()).contains("turnout: " + line);
    assertThat(turnout.output()).doesNotContain("listening on");
    assertThat(dir.resolve("data")).as("no store was opened").doesNotExist();
  }

  @Test
  void skipUnimplementedStartsWithoutTheRouterAndSaysSoOnce() throws IOException {
    Path file = Files.writeString(dir.resolve("linkerd.yml"),
        "routers: [{protocol: thrift, servers: [{port: 0}]}, {protocol: http, label: web, servers: [{port: 0}]}]\n");

    JarProcess turnout = cleanup.add(JarProcess.start("skipping", Map.of(), "--config", file.toString(), "--admin-port", "0",
        "--warmup", "0", "--skip-unimplemented", "--data", dir.resolve("data").toString()));
    turnout.port("proxy");

    assertThat(turnout.output().lines().filter(l -> l.contains("--skip-unimplemented"))).containsExactly(
        "turnout: --skip-unimplemented: starting without routers[0].protocol (protocol thrift is not implemented"
            + " by Turnout (its routers serve http and h2))");
  }

  @Test
  void skipUnimplementedNeverStartsWithoutTls() throws IOException {
    Path file = Files.writeString(dir.resolve("linkerd.yml"),
        "namers: [{kind: io.l5d.fs, rootDir: ., tls: {commonName: namer.example.org}}]\n"
            + "routers: [{protocol: http, servers: [{port: 0}]}]\n");

    JarProcess turnout = cleanup.add(JarProcess.start("tls", Map.of(), "--config", file.toString(), "--admin-port", "0",
        "--skip-unimplemented", "--data", dir.resolve("data").toString()));

    assertThat(turnout.exitCode(Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(turnout.output()).contains("turnout: namers[0].tls: TLS is not implemented by Turnout yet");
  }

  @Test
  void aTakenProxyPortStopsStartUpBeforeTheWarmUpNamingThePortTheRouterAndTheFlag() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();

      long start = System.nanoTime();
      // The default warm-up (15 s) would run first if the port were bound after it.
      JarProcess turnout = cleanup.add(JarProcess.start("taken", Map.of(), "--proxy-port", String.valueOf(port),
          "--admin-port", "0", "--data", dir.resolve("data").toString()));
      int code = turnout.exitCode(Duration.ofSeconds(60));

      System.out.println("taken port: exit " + code + " after " + (System.nanoTime() - start) / 1_000_000 + " ms (JVM start included)");
      assertThat(code).as(turnout.output()).isEqualTo(2);
      assertThat(turnout.output())
          .contains("turnout: cannot listen on 127.0.0.1:" + port + " for router http (set by its servers[0].port in the"
              + " config, or --proxy-port)")
          .doesNotContain("warming up");
      assertThat(dir.resolve("data")).as("found before the store was opened").doesNotExist();
    }
  }

  @Test
  void aTakenAdminPortNamesItsFlag() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();

      JarProcess turnout = cleanup.add(JarProcess.start("taken-admin", Map.of(), "proxy", "--config",
          Files.writeString(dir.resolve("p.yml"), "routers: [{protocol: http, dtab: '/svc => /$/inet/127.1/1;'}]\n").toString(),
          "--proxy-port", "0", "--admin-port", String.valueOf(port)));

      assertThat(turnout.exitCode(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(turnout.output()).contains("cannot listen on 127.0.0.1:" + port + " for the admin server (set by admin.port"
          + " in the config, or --admin-port)");
    }
  }

  @Test
  void aProxyStartedIntoTrafficAnswersEveryRequest() throws Exception {
    Backend users = cleanup.add(Backend.named("users"));
    Path disco = Files.createDirectories(dir.resolve("disco"));
    Files.writeString(disco.resolve("users"), "127.0.0.1 " + users.port() + "\n");
    Path cpConfig = Files.writeString(dir.resolve("cp.yml"), String.join("\n",
        "namers: [{kind: io.l5d.fs, rootDir: '" + disco + "'}]",
        "storage: {kind: h2, namespaces: {default: '/svc => /#/io.l5d.fs;'}}",
        "routers: [{protocol: http, dtab: '/svc => /$/inet/127.1/1;', servers: [{port: 0}]}]",
        ""));
    JarProcess controlPlane = cleanup.add(JarProcess.start("control-plane", Map.of(), "--config", cpConfig.toString(),
        "--admin-port", "0", "--warmup", "0", "--data", dir.resolve("cp-data").toString()));
    int admin = controlPlane.port("admin");
    Path pxConfig = Files.writeString(dir.resolve("proxy.yml"), String.join("\n",
        "routers:",
        "- protocol: http",
        "  interpreter: {kind: io.l5d.namerd.http, experimental: true, dst: /$/inet/127.0.0.1/" + admin + ", namespace: default}",
        ""));

    // A short warm-up still runs, so requests arrive while the proxy is bound but not yet open.
    JarProcess proxy = cleanup.add(JarProcess.start("proxy", Map.of(), "proxy", "--config", pxConfig.toString(),
        "--admin-port", "0", "--proxy-port", "0", "--warmup", "2"));
    int port = proxy.port("proxy");
    ExecutorService callers = Executors.newFixedThreadPool(8);
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    try {
      for (int i = 0; i < 400; i++) {
        answers.add(CompletableFuture.supplyAsync(() -> status(port), callers));
      }
      List<Integer> codes = new ArrayList<>();
      for (CompletableFuture<Integer> a : answers) {
        codes.add(a.get());
      }

      assertThat(codes).as(proxy.output()).hasSize(400).containsOnly(200);
      assertThat(users.served()).isEqualTo(400);
    } finally {
      callers.shutdownNow();
    }
  }

  private static int status(int port) {
    return Http.get("http://127.0.0.1:" + port + "/", "Host", "users").statusCode();
  }

}
