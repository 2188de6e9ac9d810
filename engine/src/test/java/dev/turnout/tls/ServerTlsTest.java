package dev.turnout.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.ServerTlsConfig;
import dev.turnout.testing.TestCerts;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {
  static final TestCerts.Issued CA = TestCerts.ca("test CA");

  @TempDir Path dir;

  ServerTls load(ServerTlsConfig c) {
    return ServerTls.load(c, "admin.tls", Clock.systemUTC());
  }

  @Test
  void readsAnEcKeyAsPkcs8() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost");

    ServerTls tls = load(ServerTlsConfig.of(leaf.writeCert(dir.resolve("c.pem")), leaf.writeKey(dir.resolve("k.pem"))));

    assertThat(tls.context().getProtocol()).isEqualTo("TLS");
  }

  @Test
  void readsAnEcKeyAsSec1() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost");
    Path key = leaf.writeTraditionalKey(dir.resolve("k.pem"));

    load(ServerTlsConfig.of(leaf.writeCert(dir.resolve("c.pem")), key));

    assertThat(key).content().startsWith("-----BEGIN EC PRIVATE KEY-----");
  }

  @Test
  void readsAnRsaKeyAsPkcs1AndAsPkcs8() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, TestCerts.KeyKind.RSA, "localhost");
    Path cert = leaf.writeCert(dir.resolve("c.pem"));
    Path pkcs1 = leaf.writeTraditionalKey(dir.resolve("k1.pem"));

    load(ServerTlsConfig.of(cert, pkcs1));
    load(ServerTlsConfig.of(cert, leaf.writeKey(dir.resolve("k8.pem"))));

    assertThat(pkcs1).content().startsWith("-----BEGIN RSA PRIVATE KEY-----");
  }

  @Test
  void refusesAPasswordProtectedKeyNamingItsFile() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost");
    Path key = leaf.writeEncryptedKey(dir.resolve("k.pem"), "secret");

    assertThatThrownBy(() -> load(ServerTlsConfig.of(leaf.writeCert(dir.resolve("c.pem")), key)))
        .isInstanceOf(TlsException.class)
        .hasMessage("admin.tls.keyPath " + key + ": the key is protected by a password; Turnout reads unencrypted"
            + " keys only (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8 writes one)");
  }

  @Test
  void refusesAKeyThatDoesNotMatchItsCertificate() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost");
    TestCerts.Issued other = TestCerts.leaf(CA, "localhost");
    Path key = other.writeKey(dir.resolve("k.pem"));

    assertThatThrownBy(() -> load(ServerTlsConfig.of(leaf.writeCert(dir.resolve("c.pem")), key)))
        .hasMessageStartingWith("admin.tls.keyPath " + key + ": the key does not match the certificate in admin.tls.certPath");
  }

  @Test
  void refusesAnExpiredCertificate() {
    TestCerts.Issued leaf = TestCerts.expiredLeaf(CA, "localhost");
    Path cert = leaf.writeCert(dir.resolve("c.pem"));

    assertThatThrownBy(() -> load(ServerTlsConfig.of(cert, leaf.writeKey(dir.resolve("k.pem")))))
        .hasMessageStartingWith("admin.tls.certPath " + cert + ": the certificate CN=localhost expired on ");
  }

  @Test
  void refusesAMissingFile() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost");
    Path missing = dir.resolve("nope.pem");

    assertThatThrownBy(() -> load(ServerTlsConfig.of(missing, leaf.writeKey(dir.resolve("k.pem")))))
        .hasMessage("admin.tls.certPath " + missing + ": no such file");
  }

  @Test
  void refusesAFileWithoutACertificate() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost");
    Path key = leaf.writeKey(dir.resolve("k.pem"));

    assertThatThrownBy(() -> load(ServerTlsConfig.of(key, key)))
        .hasMessage("admin.tls.certPath " + key + ": holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }

  @Test
  void offersOnlyTls13And12ByDefault() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost");

    ServerTls tls = load(ServerTlsConfig.of(leaf.writeCert(dir.resolve("c.pem")), leaf.writeKey(dir.resolve("k.pem"))));

    assertThat(tls.parameters().getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
  }

  @Test
  void refusesAProtocolTheJdkDoesNotKnow() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost");
    ServerTlsConfig c = new ServerTlsConfig(
        leaf.writeCert(dir.resolve("c.pem")), leaf.writeKey(dir.resolve("k.pem")), Optional.empty(), Optional.empty(),
        false, List.of(), List.of("TLSv9"));

    assertThatThrownBy(() -> load(c)).hasMessageStartingWith("admin.tls.protocols: TLSv9 is not a TLS version");
  }

  @Test
  void refusesACipherTheJdkDoesNotKnow() {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "localhost");
    ServerTlsConfig c = new ServerTlsConfig(
        leaf.writeCert(dir.resolve("c.pem")), leaf.writeKey(dir.resolve("k.pem")), Optional.empty(), Optional.empty(),
        false, List.of("TLS_NOPE"), List.of());

    assertThatThrownBy(() -> load(c)).hasMessage("admin.tls.ciphers: TLS_NOPE is not a cipher suite this JDK supports");
  }
}
