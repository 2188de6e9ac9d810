package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.TestCerts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routers' certificates (servers', clients', per-destination entries' without captures, the
 * control-plane link's) are read before the store is opened: a bad one exits 2 with one line naming
 * the key and the file, and no store is made.
 */
class RouterTlsStartupTest {
  static final TestCerts.Issued CA = TestCerts.ca("test CA");

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "a router server's missing key"
          + "|servers: [{port: 0, tls: {certPath: router.pem, keyPath: router.key}}]"
          + "|routers[0].servers[0].tls.keyPath DIR/router.key: no such file",
      "the client block's missing trust bundle"
          + "|servers: [{port: 0}], client: {tls: {commonName: users.example.com, trustCertsBundle: missing.pem}}"
          + "|routers[0].client.tls.trustCertsBundle DIR/missing.pem: no such file",
      "a static entry's missing trust bundle (its path holds no capture)"
          + "|servers: [{port: 0}], client: {kind: io.l5d.static, configs: [{prefix: '/#/io.l5d.fs/{service}',"
          + " tls: {commonName: '{service}.example.com', trustCertsBundle: missing.pem}}]}"
          + "|routers[0].client.configs[0].tls.trustCertsBundle DIR/missing.pem: no such file",
      "a static entry's client key of another certificate"
          + "|servers: [{port: 0}], client: {kind: io.l5d.static, configs: [{prefix: /, tls: {commonName: a.example.com,"
          + " clientAuth: {certPath: router.pem, keyPath: other.key}}}]}"
          + "|routers[0].client.configs[0].tls.clientAuth.keyPath DIR/other.key: the key does not match the certificate",
      "the control-plane link's missing trust bundle"
          + "|servers: [{port: 0}], interpreter: {kind: io.l5d.namerd.http, dst: /$/inet/127.0.0.1/1, namespace: default,"
          + " tls: {commonName: cp.example.com, trustCertsBundle: missing.pem}}"
          + "|routers[0].interpreter.tls.trustCertsBundle DIR/missing.pem: no such file",
  })
  void aBadCertificateFileExitsTwoNamingItBeforeTheStoreIsOpened(String what, String router, String line) throws Exception {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost");
    leaf.writeCert(dir.resolve("router.pem"));
    TestCerts.leaf(CA, "localhost").writeKey(dir.resolve("other.key"));
    Path config = Files.writeString(dir.resolve("turnout.yml"),
        "admin: {port: 0}\nrouters: [{protocol: http, " + router + "}]\n");
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = Main.commandLine().execute("--config", config.toString(), "--data", dir.resolve("data").toString(), "--warmup", "0");
    } finally {
      System.setErr(oldErr);
    }

    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("turnout: " + line.replace("DIR", dir.toString()));
    assertThat(dir.resolve("data")).as("no store was opened").doesNotExist();
  }
}
