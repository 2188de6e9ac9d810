package dev.turnout.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.ClientTlsConfig;
import dev.turnout.config.ServerTlsConfig;
import dev.turnout.testing.TestCerts;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real handshakes between the JDK's HTTPS server and client, each set up by this package. */
class TlsHandshakeTest {
  static final TestCerts.Issued CA = TestCerts.ca("test CA");

  @TempDir Path dir;

  ServerTls server(TestCerts.Issued leaf) {
    return ServerTls.load(
        ServerTlsConfig.of(leaf.writeCert(dir.resolve("server.pem")), leaf.writeKey(dir.resolve("server.key"))),
        "admin.tls",
        Clock.systemUTC());
  }

  ClientTls client(ClientTlsConfig c) {
    return ClientTls.load(c, "routers[0].interpreter.tls", Clock.systemUTC());
  }

  ClientTlsConfig trusting(String commonName) {
    return ClientTlsConfig.trusting(CA.writeCert(dir.resolve("ca.pem")), commonName);
  }

  @Test
  void clientChecksTheCommonNameWhateverAddressItDialled() throws Exception {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "cp.example.com");
    try (HttpsPeer peer = new HttpsPeer(server(leaf))) {

      assertThat(peer.presented(client(trusting("cp.example.com")))).isEqualTo(leaf.cert());
    }
  }

  @Test
  void clientRefusesACertificateForAnotherName() {
    try (HttpsPeer peer = new HttpsPeer(server(TestCerts.leaf(CA, "other.example.com")))) {

      assertThatThrownBy(() -> peer.presented(client(trusting("cp.example.com"))))
          .hasRootCauseMessage("the certificate of CN=other.example.com is not for cp.example.com (it names [other.example.com])");
    }
  }

  @Test
  void clientMatchesAWildcardAndAnIpAddress() throws Exception {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "*.example.com", "127.0.0.1");
    try (HttpsPeer peer = new HttpsPeer(server(leaf))) {

      assertThat(peer.presented(client(trusting("cp.example.com")))).isEqualTo(leaf.cert());
      assertThat(peer.presented(client(trusting("127.0.0.1")))).isEqualTo(leaf.cert());
      assertThatThrownBy(() -> peer.presented(client(trusting("a.cp.example.com")))).isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void clientRefusesAServerItDoesNotTrust() {
    TestCerts.Issued stranger = TestCerts.ca("stranger");
    try (HttpsPeer peer = new HttpsPeer(server(TestCerts.leaf(stranger, "cp.example.com")))) {

      assertThatThrownBy(() -> peer.presented(client(trusting("cp.example.com")))).isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void disableValidationAcceptsAnyServer() throws Exception {
    TestCerts.Issued leaf = TestCerts.leaf(TestCerts.ca("stranger"), "anything");
    ClientTlsConfig c = new ClientTlsConfig(true, true, Optional.empty(), List.of(), Optional.empty(), Optional.empty(), List.of());
    try (HttpsPeer peer = new HttpsPeer(server(leaf))) {

      assertThat(peer.presented(client(c))).isEqualTo(leaf.cert());
    }
  }

  @Test
  void serverSendsItsIntermediatesSoAClientTrustingTheRootAccepts() throws Exception {
    TestCerts.Issued mid = TestCerts.intermediate(CA, "intermediate");
    TestCerts.Issued leaf = TestCerts.leaf(mid, "cp.example.com");
    ServerTls tls = ServerTls.load(
        new ServerTlsConfig(leaf.writeCert(dir.resolve("s.pem")), leaf.writeKey(dir.resolve("s.key")),
            Optional.of(mid.writeCert(dir.resolve("mid.pem"))), Optional.empty(), false, List.of(), List.of()),
        "admin.tls", Clock.systemUTC());
    try (HttpsPeer peer = new HttpsPeer(tls)) {

      assertThat(peer.presented(client(trusting("cp.example.com")))).isEqualTo(leaf.cert());
    }
  }

  @Test
  void serverRequiringClientAuthTakesOnlyClientsWithACertificateFromItsCa() throws Exception {
    TestCerts.Issued leaf = TestCerts.leaf(CA, "cp.example.com");
    ServerTls tls = ServerTls.load(
        new ServerTlsConfig(leaf.writeCert(dir.resolve("s.pem")), leaf.writeKey(dir.resolve("s.key")),
            Optional.empty(), Optional.of(CA.writeCert(dir.resolve("clients-ca.pem"))), true, List.of(), List.of()),
        "admin.tls", Clock.systemUTC());
    TestCerts.Issued proxy = TestCerts.leaf(CA, "proxy-1");
    ClientTlsConfig withCert = new ClientTlsConfig(true, false, Optional.of("cp.example.com"), List.of(),
        Optional.of(CA.writeCert(dir.resolve("ca.pem"))),
        Optional.of(new ClientTlsConfig.ClientAuth(proxy.writeCert(dir.resolve("p.pem")), proxy.writeKey(dir.resolve("p.key")), Optional.empty())),
        List.of());
    try (HttpsPeer peer = new HttpsPeer(tls)) {

      assertThat(peer.presented(client(withCert))).isEqualTo(leaf.cert());
      assertThatThrownBy(() -> peer.presented(client(trusting("cp.example.com")))).isInstanceOf(java.io.IOException.class);
    }
  }
}
