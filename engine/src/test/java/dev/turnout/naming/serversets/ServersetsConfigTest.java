package dev.turnout.naming.serversets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.ConfigException;
import dev.turnout.config.ConfigLoader;
import dev.turnout.config.NamerConfig;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.dtab.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading Linkerd's {@code io.l5d.serversets} block: its keys, their defaults, and what is refused. */
class ServersetsConfigTest {
  @TempDir java.nio.file.Path dir;

  private TurnoutConfig parse(String namers) {
    return ConfigLoader.parse("namers:\n" + namers, dir, dir.resolve("data"));
  }

  private NamerConfig.Serversets serversets(String namers) {
    return (NamerConfig.Serversets) parse(namers).namers().get(0);
  }

  @Test
  void linkerdsExampleBlockReadsAsItIs() {
    NamerConfig.Serversets n =
        serversets("- kind: io.l5d.serversets\n  zkAddrs:\n  - host: 127.0.0.1\n    port: 2181\n");

    assertThat(n.prefix()).isEqualTo(Path.read("/#/io.l5d.serversets"));
    assertThat(n.connectString()).isEqualTo("127.0.0.1:2181");
  }

  @Test
  void severalServersMakeOneConnectStringAndThePortDefaultsTo2181() {
    NamerConfig.Serversets n =
        serversets("- kind: io.l5d.serversets\n  zkAddrs:\n  - host: foo\n  - {host: bar, port: 2182}\n");

    assertThat(n.connectString()).isEqualTo("foo:2181,bar:2182");
  }

  @Test
  void prefixAndExperimentalAreAcceptedWithoutWarning() {
    TurnoutConfig c =
        parse("- kind: io.l5d.serversets\n  prefix: /zk\n  experimental: true\n  zkAddrs: [{host: zk1}]\n");

    assertThat(c.namers().get(0).prefix()).isEqualTo(Path.read("/#/zk"));
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void anUnknownKeyIsAWarningNamingItsPath() {
    TurnoutConfig c = parse("- kind: io.l5d.serversets\n  zkAddrs: [{host: zk1, weight: 2}]\n  zkPath: /x\n");

    assertThat(c.warnings())
        .anyMatch(w -> w.startsWith("namers[0].zkAddrs[0].weight: unknown key"))
        .anyMatch(w -> w.startsWith("namers[0].zkPath: unknown key"));
  }

  @Test
  void missingZkAddrsIsRefused() {
    assertThatThrownBy(() -> parse("- kind: io.l5d.serversets\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("namers[0].zkAddrs: is required");
  }

  @Test
  void aServerWithoutHostIsRefusedAsLinkerdDoes() {
    assertThatThrownBy(() -> parse("- kind: io.l5d.serversets\n  zkAddrs:\n  - port: 2181\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("namers[0].zkAddrs[0].host: is required");
  }

  @Test
  void aBadPortIsRefusedWithItsPath() {
    assertThatThrownBy(() -> parse("- kind: io.l5d.serversets\n  zkAddrs: [{host: zk1, port: 70000}]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("namers[0].zkAddrs[0].port:");
    assertThatThrownBy(() -> parse("- kind: io.l5d.serversets\n  zkAddrs: [{host: zk1, port: 0}]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("namers[0].zkAddrs[0].port:");
  }

  @Test
  void aHostThatWouldBreakTheConnectStringIsRefused() {
    assertThatThrownBy(() -> parse("- kind: io.l5d.serversets\n  zkAddrs: [{host: 'a,b'}]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("namers[0].zkAddrs[0].host:");
  }
}
