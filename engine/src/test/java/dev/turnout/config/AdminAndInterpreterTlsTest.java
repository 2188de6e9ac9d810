package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** admin.tls and the io.l5d.namerd.http interpreter's tls are served, so they are not Unimplemented. */
class AdminAndInterpreterTlsTest {
  static TurnoutConfig parse(String yaml) {
    return ConfigLoader.parse(yaml, Path.of("/etc/turnout"), Path.of("data"));
  }

  @Test
  void adminTlsIsReadWithPathsFromTheConfigFolder() {
    TurnoutConfig config = parse("admin: {port: 9990, tls: {certPath: admin.pem, keyPath: admin.key}}\n");

    assertThat(config.unimplemented()).isEmpty();
    assertThat(config.admin().tls()).hasValue(ServerTlsConfig.of(Path.of("/etc/turnout/admin.pem"), Path.of("/etc/turnout/admin.key")));
  }

  @Test
  void aBadAdminTlsNamesItsPath() {
    assertThatThrownBy(() -> parse("admin: {tls: {keyPath: k}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("admin.tls.certPath: is required");
  }

  @Test
  void theNamerdHttpInterpreterFollowsOverTls() {
    TurnoutConfig config = parse("routers:\n- protocol: http\n  interpreter:\n    kind: io.l5d.namerd.http\n"
        + "    dst: /$/inet/127.0.0.1/9990\n    tls: {commonName: cp.example.org, trustCertsBundle: ca.pem}\n");

    assertThat(config.unimplemented()).isEmpty();
    assertThat(config.routers().get(0).interpreter().tls())
        .hasValue(ClientTlsConfig.trusting(Path.of("/etc/turnout/ca.pem"), "cp.example.org"));
  }

  @Test
  void aDisabledInterpreterTlsFollowsOverPlainHttp() {
    TurnoutConfig config = parse("routers:\n- protocol: http\n  interpreter:\n    kind: io.l5d.namerd.http\n"
        + "    dst: /$/inet/127.0.0.1/9990\n    tls: {enabled: false}\n");

    assertThat(config.routers().get(0).interpreter().tls()).isEmpty();
  }

  @Test
  void theInterpreterTlsNeedsACommonName() {
    assertThatThrownBy(() -> parse("routers:\n- protocol: http\n  interpreter:\n    kind: io.l5d.namerd.http\n"
            + "    dst: /$/inet/127.0.0.1/9990\n    tls: {trustCertsBundle: ca.pem}\n"))
        .hasMessageStartingWith("routers[0].interpreter.tls.commonName: is required");
  }
}
