package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading Linkerd 1's io.l5d.dnssrv block: its keys, defaults and what is refused. */
class DnsSrvNamerConfigTest {
  @TempDir java.nio.file.Path dir;

  private TurnoutConfig parse(String yaml) {
    return ConfigLoader.parse(yaml, dir, dir.resolve("data"));
  }

  private NamerConfig.DnsSrv only(TurnoutConfig config) {
    assertThat(config.namers()).hasSize(1);
    return (NamerConfig.DnsSrv) config.namers().get(0);
  }

  @Test
  void linkerdsDocumentedBlockReadsWithItsKeys() {
    TurnoutConfig config =
        parse(
            """
            namers:
            - kind: io.l5d.dnssrv
              experimental: true
              refreshIntervalSeconds: 7
              dnsHosts:
              - ns0.example.org
              - 127.0.0.1:5353
              - "[::1]:5354"
              - ::1
            """);

    NamerConfig.DnsSrv dns = only(config);
    assertThat(dns.prefix()).isEqualTo(Path.read("/#/io.l5d.dnssrv"));
    assertThat(dns.refreshInterval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(dns.dnsHosts())
        .containsExactly(
            new NamerConfig.DnsServer("ns0.example.org", 53),
            new NamerConfig.DnsServer("127.0.0.1", 5353),
            new NamerConfig.DnsServer("::1", 5354),
            new NamerConfig.DnsServer("::1", 53));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void defaultsAreFiveSecondsTheSystemResolversAndTheKindAsPrefix() {
    NamerConfig.DnsSrv dns = only(parse("namers:\n- kind: io.l5d.dnssrv\n"));

    assertThat(dns.refreshInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(dns.dnsHosts()).isEmpty();
    assertThat(dns.prefix()).isEqualTo(Path.read("/#/io.l5d.dnssrv"));
  }

  @Test
  void prefixMovesTheMountPoint() {
    NamerConfig.DnsSrv dns = only(parse("namers:\n- kind: io.l5d.dnssrv\n  prefix: /srv\n"));

    assertThat(dns.prefix()).isEqualTo(Path.read("/#/srv"));
  }

  @Test
  void unknownKeyIsWarnedWithItsPath() {
    TurnoutConfig config = parse("namers:\n- kind: io.l5d.dnssrv\n  dnsHost: 127.0.0.1\n");

    assertThat(config.warnings()).singleElement().asString().contains("namers[0].dnsHost").contains("unknown key");
  }

  @Test
  void zeroRefreshIntervalIsRefused() {
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.dnssrv\n  refreshIntervalSeconds: 0\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].refreshIntervalSeconds");
  }

  @Test
  void badPortInDnsHostsIsRefusedNamingTheEntry() {
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.dnssrv\n  dnsHosts: [127.0.0.1:53, 'ns1:abc']\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].dnsHosts[1]")
        .hasMessageContaining("'abc' is not a number");
  }

  @Test
  void dnsHostsMustBeAList() {
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.dnssrv\n  dnsHosts: 127.0.0.1\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].dnsHosts: must be a list");
  }

  @Test
  void experimentalMustBeABoolean() {
    assertThatThrownBy(() -> parse("namers:\n- kind: io.l5d.dnssrv\n  experimental: yes please\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("namers[0].experimental");
  }
}
