package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Path;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * {@code tls} in {@code io.l5d.static} client entries, as Linkerd 1's {@code StaticClient} applies it: the
 * entries whose prefix matches the bound id in order, a later {@code tls} replacing the earlier block
 * whole, its prefix's captures filled into {@code commonName}.
 */
class StaticClientTlsTest {
  private final Blocks blocks = new Blocks();

  private ClientConfig client(String yaml) {
    return ClientReader.read(blocks.context, blocks.at("routers[0].client", yaml));
  }

  private Optional<ClientTlsConfig> tlsOf(ClientConfig c, String id) {
    return c.forClient(Path.read(id)).tls();
  }

  @Test
  void theCommonNameTakesTheServiceTheBoundIdCaptures() {
    ClientConfig c = client("{kind: io.l5d.static, configs: [{prefix: '/#/io.l5d.fs/{service}',"
        + " tls: {commonName: '{service}.example.com', trustCertsBundle: /certs/ca.pem}}]}");

    assertThat(tlsOf(c, "/#/io.l5d.fs/users/v1").flatMap(ClientTlsConfig::commonName)).contains("users.example.com");
    assertThat(tlsOf(c, "/#/io.l5d.fs/orders").flatMap(ClientTlsConfig::commonName)).contains("orders.example.com");
    assertThat(tlsOf(c, "/#/io.l5d.fs/orders").flatMap(ClientTlsConfig::trustCertsBundle)).contains(java.nio.file.Path.of("/certs/ca.pem"));
    assertThat(tlsOf(c, "/$/inet/127.0.0.1/80")).as("no entry matches: plaintext").isEmpty();
    assertThat(blocks.context.unimplemented()).isEmpty();
  }

  @Test
  void capturesAroundWildcardsAndWithinASegmentFillTheNameAsLinkerdsTestsDo() {
    ClientConfig c = client("{kind: io.l5d.static, configs: ["
        + "{prefix: '/#/io.l5d.serversets/s/*/staging/{service}:https', tls: {commonName: '*.{service}.com'}},"
        + "{prefix: '/#/io.l5d.serversets/s/{role}/prod/{service}:https', tls: {commonName: '{role}.{service}.com'}}]}");

    assertThat(tlsOf(c, "/#/io.l5d.serversets/s/nobody/staging/foo:https").flatMap(ClientTlsConfig::commonName))
        .contains("*.foo.com");
    assertThat(tlsOf(c, "/#/io.l5d.serversets/s/www/prod/bar:https").flatMap(ClientTlsConfig::commonName))
        .contains("www.bar.com");
    assertThat(tlsOf(c, "/#/io.l5d.wrong/bas")).isEmpty();
  }

  @Test
  void aLaterEntryWithEnabledFalseTurnsTlsOffForItsPrefix() {
    ClientConfig c = client("{kind: io.l5d.static, configs: ["
        + "{prefix: /, tls: {commonName: everyone.example.com}},"
        + "{prefix: '/$/inet', tls: {enabled: false}}]}");

    assertThat(tlsOf(c, "/#/io.l5d.fs/users").map(ClientTlsConfig::enabled)).contains(true);
    assertThat(tlsOf(c, "/$/inet/127.0.0.1/80").map(ClientTlsConfig::enabled)).contains(false);
  }

  @Test
  void aLaterTlsReplacesTheEarlierBlockWholeWhileAnEntryWithoutTlsLeavesIt() {
    ClientConfig c = client("{kind: io.l5d.static, configs: ["
        + "{prefix: /, tls: {commonName: a.example.com, trustCertsBundle: /certs/a.pem}},"
        + "{prefix: '/#/io.l5d.fs', failFast: true},"
        + "{prefix: '/#/io.l5d.fs/b', tls: {commonName: b.example.com}}]}");

    ClientConfig a = c.forClient(Path.read("/#/io.l5d.fs/a"));
    ClientConfig b = c.forClient(Path.read("/#/io.l5d.fs/b"));

    assertThat(a.failFast()).isTrue();
    assertThat(a.tls().flatMap(ClientTlsConfig::trustCertsBundle)).contains(java.nio.file.Path.of("/certs/a.pem"));
    assertThat(b.tls().flatMap(ClientTlsConfig::commonName)).contains("b.example.com");
    assertThat(b.tls().flatMap(ClientTlsConfig::trustCertsBundle)).as("keys are not merged, as in Linkerd").isEmpty();
  }

  @Test
  void capturesFillFilePathsTooSoThatEachDestinationMayHaveItsOwnFiles() {
    ClientConfig c = client("{kind: io.l5d.static, configs: [{prefix: '/#/io.l5d.fs/{service}',"
        + " tls: {commonName: '{service}.example.com', trustCertsBundle: '/certs/{service}/ca.pem',"
        + " clientAuth: {certPath: '/certs/{service}/me.pem', keyPath: '/certs/{service}/me.key'}}}]}");

    ClientTlsConfig users = tlsOf(c, "/#/io.l5d.fs/users").orElseThrow();

    assertThat(users.trustCertsBundle()).contains(java.nio.file.Path.of("/certs/users/ca.pem"));
    assertThat(users.clientAuth().orElseThrow().keyPath()).isEqualTo(java.nio.file.Path.of("/certs/users/me.key"));
    assertThat(c.configs().get(0).tls().orElseThrow().filesHoldCaptures()).isTrue();
    assertThat(users.filesHoldCaptures()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "{prefix: '/#/io.l5d.fs/{service}', tls: {commonName: '{svc}.example.com'}}"
          + "|routers[0].client.configs[0].tls.commonName: {svc} is not captured by the prefix /#/io.l5d.fs/{service} (it captures {service})",
      "{prefix: '/#/io.l5d.fs', tls: {commonName: '{service}.example.com'}}"
          + "|routers[0].client.configs[0].tls.commonName: {service} is not captured by the prefix /#/io.l5d.fs, which captures nothing",
      "{prefix: '/#/io.l5d.fs/{service}', tls: {commonName: x.example.com, trustCertsBundle: '/c/{name}.pem'}}"
          + "|routers[0].client.configs[0].tls.trustCertsBundle: {name} is not captured by the prefix /#/io.l5d.fs/{service} (it captures {service})",
      "{prefix: '/#/io.l5d.fs/{service}', tls: {trustCertsBundle: /c/ca.pem}}"
          + "|routers[0].client.configs[0].tls.commonName: is required to check the peer's certificate (or set disableValidation: true)",
      "{prefix: /, tls: {commonName: a, trustCerts: [/c/a.pem], trustCertsBundle: /c/b.pem}}"
          + "|routers[0].client.configs[0].tls.trustCerts: give trustCertsBundle or trustCerts (deprecated), not both; Linkerd refuses both too",
      "{prefix: /, tls: {disableValidation: true, clientAuth: {certPath: c.pem, keyPath: k.pem}}}"
          + "|routers[0].client.configs[0].tls.clientAuth: would send a client certificate to a peer nobody checks (disableValidation: true)",
      "{prefix: /, tls: {commonName: a, clientAuth: {certPath: c.pem}}}"
          + "|routers[0].client.configs[0].tls.clientAuth.keyPath: is required",
      "{tls: {commonName: a}}"
          + "|routers[0].client.configs[0].prefix: is required",
      "{prefix: '/#//x', tls: {commonName: a}}"
          + "|routers[0].client.configs[0].prefix: has an empty segment: /#//x",
  })
  void aBadEntryIsRefusedWithItsYamlPath(String entry, String message) {
    assertThatThrownBy(() -> client("{kind: io.l5d.static, configs: [" + entry + "]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "{prefix: '/#/io.l5d.fs/{service}', tls: {commonName: '{service}.example.com'}}|/#/io.l5d.fs/users|users.example.com",
      "{prefix: '/#/io.l5d.fs/{service}', tls: {enabled: false}}|/#/io.l5d.fs/users|",
      "{prefix: '/$/inet/{host}/{port}', tls: {commonName: '{host}'}}|/$/inet/localhost/8443|localhost",
      "{prefix: '/#/io.l5d.fs/{a}-{b}', tls: {commonName: '{b}.{a}.example.com'}}|/#/io.l5d.fs/x-y-z|z.x-y.example.com",
      "{prefix: '/#/*/{service}', tls: {disableValidation: true}}|/#/io.l5d.fs/users|",
  })
  void aGoodEntryGivesItsClientsTheNameItFillsIn(String entry, String id, String name) {
    ClientConfig c = client("{kind: io.l5d.static, configs: [" + entry + "]}");

    assertThat(tlsOf(c, id)).isPresent();
    assertThat(tlsOf(c, id).flatMap(ClientTlsConfig::commonName)).isEqualTo(Optional.ofNullable(name));
  }
}
