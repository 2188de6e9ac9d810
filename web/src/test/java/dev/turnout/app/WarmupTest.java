package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.config.ConfigLoader;
import dev.turnout.proxy.IoThreads;
import dev.turnout.proxy.ProxyServer;
import dev.turnout.proxy.RunningProxy;
import dev.turnout.testing.Backend;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import dev.turnout.config.RouterConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WarmupTest {
  private IoThreads threads;

  /** Router "web" on port 0 with {@code dtab}, and {@code more} YAML lines of its own. */
  private static RouterConfig router(String dtab, String... more) {
    StringBuilder yaml = new StringBuilder("routers:\n- protocol: http\n  label: web\n  servers: [{port: 0}]\n");
    yaml.append("  dtab: '").append(dtab).append("'\n");
    for (String line : more) {
      yaml.append("  ").append(line).append('\n');
    }
    return ConfigLoader.parse(yaml.toString(), java.nio.file.Path.of("."), java.nio.file.Path.of("data")).routers().get(0);
  }

  @BeforeEach
  void threads() {
    threads = IoThreads.start();
  }

  @AfterEach
  void closeThreads() {
    threads.close();
  }

  @Test
  void sendsTrafficThroughTheRouterAndLeavesNoThreadsBehind() {
    // The router's own dtab points nowhere: the warm-up replaces it with its loopback backend.
    Warmup.Result r = Warmup.run(router("/svc => /$/inet/127.0.0.1/1;"), Duration.ofMillis(1500), threads);

    // How many requests fit in the budget depends on the machine (a cold JVM on one busy core manages a
    // handful); what must hold is that every one was answered and none broke.
    assertThat(r.requests()).as(r.toString()).isPositive();
    assertThat(r.ok()).as(r.toString()).isEqualTo(r.requests());
    assertThat(r.broken()).as(r.toString()).isZero();
    // No round is long enough to judge the compiler quiet, so none may end the warm-up before its
    // budget. The third round starts only if the second has shut down before the budget ends, which a
    // stalled machine can miss: two rounds at least, then.
    assertThat(r.took()).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(6));
    assertThat(r.rounds()).isBetween(2, 3);
    assertThat(r.serverHandshakes() + r.clientHandshakes() + r.tlsBackendAnswers())
        .as("a plaintext router is warmed in plaintext").isZero();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("turnout-warmup"));
  }

  /** A router with a TLS server, and TLS towards its backends per destination; certificates in {@code dir}. */
  private static RouterConfig tlsRouter(java.nio.file.Path dir) {
    dev.turnout.testing.TestCerts.Issued ca = dev.turnout.testing.TestCerts.ca("router CA");
    dev.turnout.testing.TestCerts.Issued leaf = dev.turnout.testing.TestCerts.leaf(ca, "proxy.example.org");
    java.nio.file.Path cert = leaf.writeCert(dir.resolve("proxy.pem"));
    java.nio.file.Path key = leaf.writeKey(dir.resolve("proxy.key"));
    java.nio.file.Path bundle = ca.writeCert(dir.resolve("ca.pem"));
    StringBuilder yaml = new StringBuilder("routers:\n- protocol: http\n  label: web\n")
        .append("  servers: [{port: 0, tls: {certPath: '").append(cert).append("', keyPath: '").append(key).append("'}}]\n")
        .append("  dtab: '/svc => /#/io.l5d.fs;'\n")
        .append("  client: {kind: io.l5d.static, configs: [{prefix: '/#/io.l5d.fs/{service}', tls: {commonName: '{service}.example.org',")
        .append(" trustCertsBundle: '").append(bundle).append("'}}]}\n");
    return ConfigLoader.parse(yaml.toString(), dir, dir.resolve("data")).routers().get(0);
  }

  @Test
  void aRouterServedOverTlsWithTlsToItsBackendsIsWarmedWithHandshakesOnBothSides(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    // Long enough for a cold JVM on a busy machine: its first TLS handshakes take seconds each.
    Warmup.Result r = Warmup.run(tlsRouter(dir), Duration.ofSeconds(10), threads);

    System.out.println("TLS warm-up: " + r);
    // The copy's server shook hands with the warm-up's callers, and its client with the TLS backend
    // (a plaintext client of it would have made none).
    assertThat(r.serverHandshakes()).as(r.toString()).isPositive();
    assertThat(r.clientHandshakes()).as(r.toString()).isPositive();
    // What came back was the backend's answer, over TLS both ways: never a 502 of a failed handshake.
    assertThat(r.ok()).as(r.toString()).isPositive().isEqualTo(r.requests());
    assertThat(r.tlsBackendAnswers()).as(r.toString()).isGreaterThanOrEqualTo(r.ok());
    assertThat(r.broken()).as(r.toString()).isZero();
    assertThat(r.took()).as(r.toString()).isLessThan(Duration.ofSeconds(14));
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("turnout-warmup"));
  }

  @Test
  void theThrowawayCertificateHasAKeyOfTheRealCertificatesKindAndLeavesNoFilesBehind(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    var rsa = dev.turnout.tls.Throwaway.write(WarmTls.NAME, "RSA", java.nio.file.Files.createDirectories(dir.resolve("rsa")));
    java.nio.file.Files.createDirectories(dir.resolve("ec"));
    var ec = dev.turnout.tls.Throwaway.write(WarmTls.NAME, "EC", dir.resolve("ec"));

    assertThat(WarmTls.keyAlgorithm(rsa.certPath())).isEqualTo("RSA");
    assertThat(WarmTls.keyAlgorithm(ec.certPath())).isEqualTo("EC");
    assertThat(WarmTls.keyAlgorithm(dir.resolve("missing.pem"))).as("unreadable: EC").isEqualTo("EC");
    assertThat(java.nio.file.Files.getPosixFilePermissions(rsa.keyPath()))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

    RouterConfig plain = router("/svc => /$/inet/127.0.0.1/1;");
    WarmTls tls = WarmTls.of(plain, List.of(plain, tlsRouterFor(rsa)));
    java.nio.file.Path folder = tls.dir().orElseThrow();
    assertThat(tls.callers()).isPresent();
    assertThat(tls.backend()).as("the copy's client is plaintext").isEmpty();
    tls.close();
    assertThat(folder).doesNotExist();
  }

  /** A router served over TLS on {@code cert}'s files, its client plaintext. */
  private static RouterConfig tlsRouterFor(dev.turnout.tls.Throwaway cert) {
    String yaml = "routers:\n- protocol: http\n  label: tls\n  servers: [{port: 0, tls: {certPath: '" + cert.certPath()
        + "', keyPath: '" + cert.keyPath() + "'}}]\n  dtab: '/svc => /$/inet/127.0.0.1/1;'\n";
    return ConfigLoader.parse(yaml, java.nio.file.Path.of("."), java.nio.file.Path.of("data")).routers().get(0);
  }

  @Test
  void aTlsServerOfAnyRouterHasTheCopyServedOverTlsWhileItsClientStaysPlaintext(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    RouterConfig plain = router("/svc => /$/inet/127.0.0.1/1;");

    Warmup.Result r = Warmup.run(plain, List.of(plain, tlsRouter(dir)), Duration.ofSeconds(6), threads);

    System.out.println("TLS warm-up, server side only: " + r);
    assertThat(r.serverHandshakes()).as(r.toString()).isPositive();
    assertThat(r.ok()).as(r.toString()).isEqualTo(r.requests());
    assertThat(r.clientHandshakes() + r.tlsBackendAnswers()).as(r.toString()).isZero();
  }

  @Test
  void aRouterThatCannotIdentifyTheWarmupRequestsStillRunsItsErrorPath() {
    var byHeader = router("/svc => /$/inet/127.0.0.1/1;", "identifier: {kind: io.l5d.header, header: x-service}");

    Warmup.Result r = Warmup.run(byHeader, Duration.ofMillis(400), threads);

    assertThat(r.requests()).isPositive();
    assertThat(r.ok()).isZero();
  }

  @Test
  void aRouterOnTheStoreIsWarmedOnAThrowawayStore() {
    var onStore = router("/svc => /$/inet/127.0.0.1/1;", "interpreter: {kind: io.l5d.namerd, namespace: default}");

    Warmup.Result r = Warmup.run(onStore, Duration.ofMillis(1000), threads);

    assertThat(r.requests()).as(r.toString()).isPositive();
    assertThat(r.ok()).as(r.toString()).isEqualTo(r.requests());
  }

  @Test
  void aRouterWhoseNamesStartAtTheRootIsWarmedWithoutLoopingItsRewrite() {
    var atRoot = router("/ => /$/inet/127.0.0.1/1;", "dstPrefix: /", "identifier: {kind: io.l5d.header.token, header: Host}");

    Warmup.Result r = Warmup.run(atRoot, Duration.ofSeconds(5), threads);

    assertThat(r.requests()).as(r.toString()).isPositive();
    assertThat(r.ok()).as(r.toString()).isEqualTo(r.requests());
  }

  @Test
  void theProxyOpensOnTheWarmedThreadsAndClosingItEndsThem() throws Exception {
    try (Backend users = Backend.named("users")) {
      RouterConfig config = router("/svc => /$/inet/127.0.0.1/" + users.port() + ";");
      Warmup.run(config, Duration.ofMillis(300), threads);
      Set<Thread> warmed = proxyThreads();
      assertThat(warmed).as("the warm-up leaves its threads open").hasSizeGreaterThanOrEqualTo(2);

      RunningProxy proxy =
          ProxyServer.start(List.of(config), new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()),
              new ProxyMetrics(), threads);
      try {
        var http = java.net.http.HttpClient.newHttpClient();
        var answer = http.send(
            java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port("web") + "/"))
                .header("Host", "users").build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("users");
        assertThat(proxyThreads()).as("no new IO threads for the proxy").isEqualTo(warmed);
      } finally {
        proxy.close(Duration.ZERO);
      }
      for (Thread t : warmed) {
        t.join(5_000); // a thread told to stop may take a moment to end
      }
      assertThat(warmed).as("the proxy took the threads over").noneMatch(Thread::isAlive);
    }
  }

  private static Set<Thread> proxyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("turnout-proxy I/O"))
        .collect(Collectors.toSet());
  }

  @Test
  void aZeroBudgetDoesNothing() {
    Warmup.Result r = Warmup.run(router("/svc => /$/inet/127.0.0.1/1;"), Duration.ZERO, threads);

    assertThat(r.requests()).isZero();
    assertThat(r.took()).isZero();
  }

  @Test
  void readsAResponseWithItsBodyAndRefusesOneWithoutLength() throws Exception {
    byte[] buf = new byte[64];
    var in = new ByteArrayInputStream("HTTP/1.1 503 No\r\ncontent-length: 3\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII));
    assertThat(WarmCaller.readResponse(in, buf)).isEqualTo(503);

    var chunked =
        new ByteArrayInputStream(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(WarmCaller.readResponse(chunked, buf)).isEqualTo(-1);
  }
}
