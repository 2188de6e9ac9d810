package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.app.TurnoutServer;
import dev.turnout.config.ClientTlsConfig;
import dev.turnout.config.InterpreterConfig;
import dev.turnout.testing.Await;
import dev.turnout.testing.TestCerts;
import dev.turnout.tls.ClientTls;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A proxy's io.l5d.namerd.http follows a real control plane whose admin port speaks HTTPS. */
class NamerdHttpsFollowTest {
  static final TestCerts.Issued CA = TestCerts.ca("fleet CA");

  @TempDir Path dir;
  TurnoutServer controlPlane;
  Path caFile;

  @BeforeEach
  void startControlPlane() throws Exception {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "cp.example.org");
    leaf.writeCert(dir.resolve("cp.pem"));
    leaf.writeKey(dir.resolve("cp.key"));
    caFile = CA.writeCert(dir.resolve("ca.pem"));
    Path config = Files.writeString(dir.resolve("cp.yml"),
        "admin: {port: 0, tls: {certPath: cp.pem, keyPath: cp.key}}\n"
            + "routers: [{protocol: http, servers: [{port: 0}]}]\n"
            + "storage: {kind: h2, namespaces: {default: '/svc => /$/inet/127.0.0.1/8080;'}}\n");
    controlPlane = TurnoutServer.start(
        new TurnoutServer.Options(config, dir.resolve("data"), null, null, false),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  NamerdHttpDtabSource follow(String commonName) {
    ClientTls tls = ClientTls.load(ClientTlsConfig.trusting(caFile, commonName), "routers[0].interpreter.tls", Clock.systemUTC());
    return new NamerdHttpDtabSource(
        new InterpreterConfig(InterpreterConfig.REMOTE, "default",
            List.of(new InterpreterConfig.ControlPlane("127.0.0.1", controlPlane.adminPort())),
            Duration.ofMillis(50), Duration.ofMillis(200)),
        "",
        Optional.empty(),
        Clock.systemUTC(),
        Optional.of(tls));
  }

  @Test
  void followsTheNamespaceOverHttpsCheckingTheCommonName() {
    try (NamerdHttpDtabSource source = follow("cp.example.org")) {

      Await.until("the control plane's dtab arrives", Duration.ofSeconds(15),
          () -> source.current().text().contains("/svc => /$/inet/127.0.0.1/8080;"));
      assertThat(source.status().problem()).isEmpty();
    }
  }

  @Test
  void aControlPlaneWhoseCertificateIsForAnotherNameIsNotFollowed() {
    try (NamerdHttpDtabSource source = follow("other.example.org")) {

      Await.until("the follower names the refused certificate", Duration.ofSeconds(15),
          () -> source.status().problem().filter(p -> p.contains("not for other.example.org")).isPresent());
      assertThat(source.current().text()).doesNotContain("/$/inet/127.0.0.1/8080");
    }
  }
}
