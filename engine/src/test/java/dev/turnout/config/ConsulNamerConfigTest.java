package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsulNamerConfigTest {
  @TempDir java.nio.file.Path dir;

  private TurnoutConfig parse(String yaml) {
    return ConfigLoader.parse(yaml, dir, dir.resolve("data"));
  }

  private NamerConfig.Consul only(TurnoutConfig config) {
    assertThat(config.namers()).hasSize(1);
    return (NamerConfig.Consul) config.namers().get(0);
  }

  @Test
  void aBareBlockTakesLinkerdsDefaults() {
    TurnoutConfig config = parse("namers:\n- kind: io.l5d.consul\n");

    NamerConfig.Consul c = only(config);
    assertThat(c.prefix()).isEqualTo(Path.read("/#/io.l5d.consul"));
    assertThat(c.host()).isEqualTo("localhost");
    assertThat(c.port()).isEqualTo(8500);
    assertThat(c.token()).isEmpty();
    assertThat(c.includeTag()).isFalse();
    assertThat(c.useHealthCheck()).isFalse();
    assertThat(c.healthStatuses()).containsExactly("passing");
    assertThat(c.consistencyMode()).isEqualTo("default");
    assertThat(c.failFast()).isFalse();
    assertThat(c.preferServiceAddress()).isTrue();
    assertThat(c.weights()).isEmpty();
    assertThat(c.setHost()).isFalse();
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void everyLinkerdKeyIsRead() {
    TurnoutConfig config =
        parse(
            """
            namers:
            - kind: io.l5d.consul
              prefix: /consul-east
              experimental: true
              host: consul.site.biz
              port: 8600
              includeTag: true
              useHealthCheck: true
              healthStatuses: [passing, warning]
              setHost: true
              token: some-consul-acl-token
              consistencyMode: stale
              failFast: true
              preferServiceAddress: false
              weights:
              - tag: primary
                weight: 100
              - tag: experimental
                weight: 0.1
            """);

    NamerConfig.Consul c = only(config);
    assertThat(c.prefix()).isEqualTo(Path.read("/#/consul-east"));
    assertThat(c.host()).isEqualTo("consul.site.biz");
    assertThat(c.port()).isEqualTo(8600);
    assertThat(c.token()).isEqualTo(Optional.of("some-consul-acl-token"));
    assertThat(c.includeTag()).isTrue();
    assertThat(c.useHealthCheck()).isTrue();
    assertThat(c.healthStatuses()).containsExactly("passing", "warning");
    assertThat(c.setHost()).isTrue();
    assertThat(c.consistencyMode()).isEqualTo("stale");
    assertThat(c.failFast()).isTrue();
    assertThat(c.preferServiceAddress()).isFalse();
    assertThat(c.weights()).isEqualTo(Map.of("primary", 100.0, "experimental", 0.1));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void badValuesNameTheirYamlPath() {
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.consul\n  healthStatuses: [passing, sick]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].healthStatuses[1]: sick is not one of passing, warning, critical, maintenance");
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.consul\n  consistencyMode: eventual\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].consistencyMode: eventual is not one of default, stale, consistent");
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.consul\n  port: 70000\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].port:");
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.consul\n  weights:\n  - tag: primary\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].weights[0].weight: is required");
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.consul\n  weights:\n  - {tag: primary, weight: -1}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].weights[0].weight: must be a finite number >= 0");
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.consul\n  includeTag: yes please\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].includeTag: must be true or false");
  }

  @Test
  void unknownAndUnimplementedKeysAreSaid() {
    TurnoutConfig config =
        parse(
            """
            namers:
            - kind: io.l5d.consul
              transferMetadata: true
              colour: blue
            """);

    assertThat(only(config).host()).isEqualTo("localhost");
    assertThat(config.warnings())
        .anyMatch(w -> w.contains("namers[0].transferMetadata") && w.contains("not implemented"))
        .anyMatch(w -> w.contains("namers[0].colour") && w.contains("unknown key"));
  }

  @Test
  void tlsIsLinkerdsClientBlock() {
    NamerConfig.Consul c =
        only(parse("namers:\n- kind: io.l5d.consul\n  tls: {commonName: consul.io, protocols: [TLSv1.3]}\n"));
    NamerConfig.Consul off = only(parse("namers:\n- kind: io.l5d.consul\n  tls: {enabled: false}\n"));

    assertThat(c.tls()).hasValueSatisfying(t -> {
      assertThat(t.commonName()).hasValue("consul.io");
      assertThat(t.protocols()).containsExactly("TLSv1.3");
    });
    assertThat(off.tls()).isEmpty();
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.consul\n  tls: {trustCertsBundle: ca.pem}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].tls.commonName: is required");
  }

  @Test
  void theRecordRefusesWhatTheReaderWould() {
    assertThatThrownBy(
            () ->
                new NamerConfig.Consul(Path.read("/#/io.l5d.consul"), "h", 8500, Optional.empty(), false, false,
                    List.of(), "default", false, true, Map.of(), false, Optional.empty()))
        .hasMessageContaining("healthStatuses");
  }
}
