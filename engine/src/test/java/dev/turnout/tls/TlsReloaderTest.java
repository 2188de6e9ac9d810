package dev.turnout.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ClientTlsConfig;
import dev.turnout.config.ServerTlsConfig;
import dev.turnout.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsReloaderTest {
  static final TestCerts.Issued CA = TestCerts.ca("test CA");

  @TempDir Path dir;
  final AtomicLong ticker = new AtomicLong();
  final TlsReloader reloader = new TlsReloader(ticker::get, Duration.ofSeconds(2));
  Path cert;
  Path key;
  ServerTls server;
  ClientTls client;

  @BeforeEach
  void serveFirstCertificate() {
    TestCerts.Issued first = TestCerts.leaf(CA, "cp.example.com");
    cert = first.writeCert(dir.resolve("cert.pem"));
    key = first.writeKey(dir.resolve("key.pem"));
    server = reloader.watch(ServerTls.load(ServerTlsConfig.of(cert, key), "admin.tls", Clock.systemUTC()));
    client = ClientTls.load(ClientTlsConfig.trusting(CA.writeCert(dir.resolve("ca.pem")), "cp.example.com"), "t", Clock.systemUTC());
  }

  TestCerts.Issued replaceFiles() {
    TestCerts.Issued next = TestCerts.leaf(CA, "cp.example.com");
    next.writeCert(cert);
    next.writeKey(key);
    return next;
  }

  void advance(Duration d) {
    ticker.addAndGet(d.toNanos());
  }

  @Test
  void newConnectionsGetTheNewCertificateOnceTheFilesAreReadAgain() throws Exception {
    try (HttpsPeer peer = new HttpsPeer(server)) {
      TestCerts.Issued next = replaceFiles();

      advance(Duration.ofSeconds(2));
      reloader.poll();

      assertThat(peer.presented(client)).isEqualTo(next.cert());
      assertThat(reloader.problems()).isEmpty();
    }
  }

  @Test
  void filesAreNotReadAgainBeforeTheInterval() throws Exception {
    try (HttpsPeer peer = new HttpsPeer(server)) {
      java.security.cert.X509Certificate before = peer.presented(client);
      TestCerts.Issued next = replaceFiles();

      advance(Duration.ofMillis(1999));
      reloader.poll();

      assertThat(peer.presented(client)).isEqualTo(before).isNotEqualTo(next.cert());
    }
  }

  @Test
  void aBadNewFileKeepsTheOldCertificateAndNamesTheProblem() throws Exception {
    try (HttpsPeer peer = new HttpsPeer(server)) {
      java.security.cert.X509Certificate before = peer.presented(client);
      TestCerts.leaf(CA, "cp.example.com").writeCert(cert); // the key no longer matches

      advance(Duration.ofSeconds(2));
      reloader.poll();

      assertThat(peer.presented(client)).isEqualTo(before);
      assertThat(reloader.problems())
          .singleElement()
          .asString()
          .startsWith("admin.tls.keyPath " + key + ": the key does not match the certificate")
          .endsWith("(still using the files loaded before)");
    }
  }

  @Test
  void theProblemGoesOnceGoodFilesArrive() throws Exception {
    Files.writeString(cert, "not a certificate");
    advance(Duration.ofSeconds(2));
    reloader.poll();
    assertThat(reloader.problems()).singleElement().asString().contains("holds no PEM certificate");
    TestCerts.Issued next = replaceFiles();

    advance(Duration.ofSeconds(2));
    reloader.poll();

    assertThat(reloader.problems()).isEmpty();
    try (HttpsPeer peer = new HttpsPeer(server)) {
      assertThat(peer.presented(client)).isEqualTo(next.cert());
    }
  }

  @Test
  void aClientPicksUpANewTrustBundle() throws Exception {
    TestCerts.Issued otherCa = TestCerts.ca("other CA");
    Path bundle = CA.writeCert(dir.resolve("bundle.pem"));
    ClientTls watched = reloader.watch(
        ClientTls.load(ClientTlsConfig.trusting(bundle, "cp.example.com"), "t", Clock.systemUTC()));
    TestCerts.Issued leaf = TestCerts.leaf(otherCa, "cp.example.com");
    leaf.writeCert(cert);
    leaf.writeKey(key);
    otherCa.writeCertWith(bundle, CA);

    advance(Duration.ofSeconds(2));
    reloader.poll();

    try (HttpsPeer peer = new HttpsPeer(server)) {
      assertThat(peer.presented(watched)).isEqualTo(leaf.cert());
    }
  }
}
