package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouterReaderTest {
  private final Blocks blocks = new Blocks();

  private List<RouterConfig> routers(String yaml) {
    return RouterReader.readAll(blocks.context, blocks.at("routers", yaml));
  }

  @Test
  void routersWithoutServersListenOnConsecutivePortsFrom4140() {
    List<RouterConfig> rs = routers("[{label: a}, {label: b}]");

    assertThat(rs).extracting(r -> r.servers().get(0).port()).containsExactly(4140, 4141);
  }

  @Test
  void twoRoutersWithOneLabelAreRefused() {
    assertThatThrownBy(() -> routers("[{label: a, servers: [{port: 1}]}, {label: a, servers: [{port: 2}]}]"))
        .hasMessage("routers[1].label: 'a' is used by another router");
  }

  @Test
  void baseDtabIsReadAsDtabWithANote() {
    List<RouterConfig> rs = routers("[{baseDtab: '/svc => /$/inet/127.0.0.1/1;'}]");

    assertThat(rs.get(0).dtab()).isEqualTo("/svc => /$/inet/127.0.0.1/1;");
    assertThat(blocks.context.warnings())
        .containsExactly("routers[0].baseDtab: the name Linkerd gave dtab before 1.0; read as dtab");
  }

  @Test
  void dtabAndBaseDtabTogetherAreRefused() {
    assertThatThrownBy(() -> routers("[{dtab: '/a => /b;', baseDtab: '/a => /c;'}]"))
        .hasMessage("routers[0].baseDtab: give either dtab or baseDtab (its old name), not both");
  }

  @Test
  void aRouterOfAnotherProtocolIsLeftOutAndRecorded() {
    List<RouterConfig> rs = routers("[{protocol: thrift, label: a}, {label: b}]");

    assertThat(rs).extracting(RouterConfig::label).containsExactly("b");
    assertThat(blocks.context.unimplemented())
        .extracting(Unimplemented::path)
        .containsExactly("routers[0].protocol");
  }
}
