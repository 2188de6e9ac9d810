package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TlsReaderTest {
  final Blocks blocks = new Blocks();

  ServerTlsConfig server(String yaml) {
    return TlsReader.server(blocks.context, blocks.at("routers[0].servers[0].tls", yaml));
  }

  ClientTlsConfig client(String yaml) {
    return TlsReader.client(blocks.context, blocks.at("routers[0].client.tls", yaml));
  }

  @Test
  void serverReadsEveryLinkerdKeyWithPathsFromTheConfigFolder() {
    ServerTlsConfig tls = server("{certPath: c.pem, keyPath: /abs/k.pem, intermediateCertsPath: mid.pem,"
        + " caCertPath: ca.pem, requireClientAuth: true, ciphers: [TLS_AES_128_GCM_SHA256], protocols: [TLSv1.3]}");

    assertThat(tls).isEqualTo(new ServerTlsConfig(Path.of("./c.pem"), Path.of("/abs/k.pem"), Optional.of(Path.of("./mid.pem")),
        Optional.of(Path.of("./ca.pem")), true, List.of("TLS_AES_128_GCM_SHA256"), List.of("TLSv1.3")));
  }

  @Test
  void serverNeedsAKeyPath() {
    assertThatThrownBy(() -> server("{certPath: c.pem}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("routers[0].servers[0].tls.keyPath: is required");
  }

  @Test
  void serverRefusesTheEnabledKeyOfLinkerdsDocs() {
    assertThatThrownBy(() -> server("{enabled: true, certPath: c.pem, keyPath: k.pem}"))
        .hasMessageStartingWith("routers[0].servers[0].tls.enabled: server tls has no enabled key");
  }

  @Test
  void serverCiphersMustBeAList() {
    assertThatThrownBy(() -> server("{certPath: c.pem, keyPath: k.pem, ciphers: {a: b}}"))
        .hasMessage("routers[0].servers[0].tls.ciphers: must be a list");
  }

  @Test
  void clientIsEnabledUnlessSaidOtherwise() {
    ClientTlsConfig tls = client("{commonName: users.example.org, trustCertsBundle: bundle.pem}");

    assertThat(tls.enabled()).isTrue();
    assertThat(tls.trustCertsBundle()).contains(Path.of("./bundle.pem"));
  }

  @Test
  void clientNeedsACommonNameUnlessValidationIsDisabled() {
    assertThatThrownBy(() -> client("{trustCertsBundle: b.pem}"))
        .hasMessage("routers[0].client.tls.commonName: is required to check the peer's certificate"
            + " (or set disableValidation: true)");
    assertThat(client("{disableValidation: true}").disableValidation()).isTrue();
  }

  @Test
  void clientRefusesTrustCertsWithTrustCertsBundle() {
    assertThatThrownBy(() -> client("{commonName: c, trustCerts: [a.pem], trustCertsBundle: b.pem}"))
        .hasMessageStartingWith("routers[0].client.tls.trustCerts: give trustCertsBundle or trustCerts (deprecated), not both");
  }

  @Test
  void clientRefusesClientAuthWithoutValidation() {
    assertThatThrownBy(() -> client("{disableValidation: true, clientAuth: {certPath: c.pem, keyPath: k.pem}}"))
        .hasMessageStartingWith("routers[0].client.tls.clientAuth: would send a client certificate to a peer nobody checks");
  }

  @Test
  void clientAuthNeedsItsKey() {
    assertThatThrownBy(() -> client("{commonName: c, clientAuth: {certPath: c.pem}}"))
        .hasMessage("routers[0].client.tls.clientAuth.keyPath: is required");
  }

  @Test
  void clientWarnsThatTrustCertsIsDeprecated() {
    ClientTlsConfig tls = client("{commonName: c, trustCerts: [a.pem, b.pem]}");

    assertThat(tls.trustCerts()).containsExactly(Path.of("./a.pem"), Path.of("./b.pem"));
    assertThat(blocks.context.warnings()).singleElement().asString().startsWith("routers[0].client.tls.trustCerts: deprecated");
  }

  @Test
  void aDisabledClientIsNotChecked() {
    ClientTlsConfig tls = client("{enabled: false}");

    assertThat(tls.enabled()).isFalse();
  }
}
