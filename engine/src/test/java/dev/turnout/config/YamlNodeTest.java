package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class YamlNodeTest {
  private final Blocks blocks = new Blocks();

  @Test
  void anAbsentOrNullKeyGivesTheDefault() {
    YamlNode n = blocks.at("admin", "{port: null}");

    assertThat(n.port("port", 9990)).isEqualTo(9990);
    assertThat(n.text("ip", "127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(n.get("deeper").get("still").isMissing()).isTrue();
  }

  @Test
  void aWrongValueNamesTheKeysPath() {
    YamlNode n = blocks.at("routers[2]", "{bindingTimeoutMs: 0, servers: [{port: x}]}");

    assertThatThrownBy(() -> n.millis("bindingTimeoutMs", Duration.ofSeconds(10)))
        .hasMessage("routers[2].bindingTimeoutMs: must be at least 1 ms");
    assertThatThrownBy(() -> n.get("servers").at(0).port("port", 4140))
        .hasMessage("routers[2].servers[0].port: must be a whole number");
  }

  @Test
  void onlyTellsALinkerdKeyTurnoutLacksFromAnUnknownOne() {
    YamlNode n = blocks.at("routers[0]", "{label: a, maxConcurrentRequests: 5, frobnicate: 1}");

    n.only("label");

    assertThat(blocks.context.warnings())
        .containsExactly(
            "routers[0].maxConcurrentRequests: not implemented by Turnout (ignored)",
            "routers[0].frobnicate: unknown key (ignored)");
  }

  @Test
  void onlyRecordsTlsAsUnimplementedNotAsAWarning() {
    YamlNode n = blocks.at("routers[0].client", "{tls: {commonName: x}}");

    n.only("failureAccrual");

    assertThat(blocks.context.warnings()).isEmpty();
    assertThat(blocks.context.unimplemented())
        .singleElement()
        .satisfies(u -> {
          assertThat(u.kind()).isEqualTo(Unimplemented.Kind.TLS);
          assertThat(u.path()).isEqualTo("routers[0].client.tls");
        });
  }

  @Test
  void aWarningIsKeptOnceHoweverOftenItIsMet() {
    YamlNode n = blocks.at("admin", "{frobnicate: 1}");

    n.only("ip");
    n.only("ip");

    assertThat(blocks.context.warnings()).containsExactly("admin.frobnicate: unknown key (ignored)");
  }
}
