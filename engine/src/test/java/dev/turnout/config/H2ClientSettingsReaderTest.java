package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** An h2 router's client block with Linkerd 1's h2 keys ({@code H2EndpointConfig}): read, bounded, checked. */
class H2ClientSettingsReaderTest {
  private final Blocks blocks = new Blocks();

  private RouterConfig router(String yaml) {
    List<RouterConfig> rs = RouterReader.readAll(blocks.context, blocks.at("routers", yaml));
    assertThat(rs).hasSize(1);
    return rs.get(0);
  }

  @Test
  void withoutKeysTheClientAnnouncesRfc9113sSettingsAndABoundedHeaderList() {
    RouterConfig r = router("[{protocol: h2}]");

    assertThat(r.client().h2()).isEqualTo(H2ClientSettings.DEFAULT);
    assertThat(r.client().h2())
        .isEqualTo(new H2ClientSettings(65_535, 16_384, 32 * 1024, 4096, 0.5));
  }

  @Test
  void linkerdsClientKeysAreRead() {
    RouterConfig r = router("[{protocol: h2, client: {initialStreamWindowBytes: 1048576, maxFrameBytes: 32768,"
        + " maxHeaderListBytes: 2049, headerTableBytes: 1024, windowUpdateRatio: 0.5}}]");

    assertThat(r.client().h2()).isEqualTo(new H2ClientSettings(1_048_576, 32_768, 2049, 1024, 0.5));
    assertThat(blocks.context.warnings()).isEmpty();
  }

  @Test
  void theSettingsApplyToEveryClientOfTheRouter() {
    RouterConfig r = router("[{protocol: h2, client: {kind: io.l5d.global, maxFrameBytes: 65536, connectTimeoutMs: 500}}]");

    ClientConfig users = r.client().forClient(dev.turnout.dtab.Path.read("/#/io.l5d.fs/users"));
    assertThat(users.h2().maxFrameBytes()).isEqualTo(65_536);
    assertThat(users.connectTimeout().toMillis()).isEqualTo(500);
  }

  @Test
  void aFrameSizeOutsideRfc9113IsRefusedNamingTheKey() {
    // Linkerd's own test config had 8192, which Netty refuses when the connection is made
    assertThatThrownBy(() -> router("[{protocol: h2, client: {maxFrameBytes: 8192}}]"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("routers[0].client.maxFrameBytes must be 16384 to 16777215 (RFC 9113 section 6.5.2), not 8192");
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> router("[{protocol: h2, client: {initialStreamWindowBytes: 0}}]"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("routers[0].client.initialStreamWindowBytes: must be a positive whole number");
    assertThatThrownBy(() -> router("[{protocol: h2, client: {headerTableBytes: -1}}]"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("routers[0].client.headerTableBytes: must be zero or more");
    assertThatThrownBy(() -> router("[{protocol: h2, client: {windowUpdateRatio: 1.5}}]"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("routers[0].client.windowUpdateRatio must be between 0 and 1 (exclusive), as Netty's, not 1.5");
    assertThatThrownBy(() -> router("[{protocol: h2, client: {maxHeaderListBytes: big}}]"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("routers[0].client.maxHeaderListBytes: must be a whole number");
  }

  @Test
  void aWindowUpdateRatioOtherThanHalfIsReadButWarned() {
    RouterConfig r = router("[{protocol: h2, client: {windowUpdateRatio: 0.9}, servers: [{port: 1, windowUpdateRatio: 0.25}]}]");

    assertThat(r.client().h2().windowUpdateRatio()).isEqualTo(0.9);
    assertThat(blocks.context.warnings().toString())
        .contains("routers[0].client.windowUpdateRatio")
        .contains("routers[0].servers[0].windowUpdateRatio")
        .contains("not applied");
  }

  @Test
  void perPrefixSettingsAreRefusedPointingToTheGlobalBlock() {
    assertThatThrownBy(() -> router("[{protocol: h2, client: {kind: io.l5d.static, configs: [{prefix: /, maxFrameBytes: 32768}]}}]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routers[0].client.configs[0].maxFrameBytes: HTTP/2 settings per prefix are not supported");
  }

  @Test
  void anHttpRoutersClientReadsPastTheH2KeysWithAWarning() {
    RouterConfig r = router("[{client: {maxFrameBytes: 32768}}]");

    assertThat(r.client().h2()).isEqualTo(H2ClientSettings.DEFAULT);
    assertThat(blocks.context.warnings().toString()).contains("routers[0].client.maxFrameBytes");
  }
}
