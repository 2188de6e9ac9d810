package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransformerReaderTest {
  private final Blocks blocks = new Blocks();

  private List<RouterConfig> routers(String yaml) {
    return RouterReader.readAll(blocks.context, blocks.at("routers", yaml));
  }

  private List<TransformerConfig> transformers(String list) {
    return routers("[{interpreter: {kind: default, transformers: " + list + "}}]").get(0).interpreter().transformers();
  }

  @Test
  void eachKindTakesItsDefaultPrefixUnderPercent() {
    List<TransformerConfig> ts =
        transformers(
            "[{kind: io.l5d.port, port: 4141}, {kind: io.l5d.localhost},"
                + " {kind: io.l5d.specificHost, host: 10.0.0.7}, {kind: io.l5d.replace, path: /$/inet/h/1},"
                + " {kind: io.l5d.const, path: /#/io.l5d.fs/x}]");

    assertThat(ts)
        .containsExactly(
            new TransformerConfig.Port(4141),
            new TransformerConfig.Localhost(),
            new TransformerConfig.SpecificHost("10.0.0.7"),
            new TransformerConfig.Replace(Path.read("/$/inet/h/1")),
            new TransformerConfig.Const(Path.read("/#/io.l5d.fs/x")));
    assertThat(ts.get(0).prefix()).isEqualTo(Path.read("/%/io.l5d.port/4141"));
    assertThat(blocks.context.warnings()).isEmpty();
  }

  @Test
  void aConfiguredPrefixReplacesTheKindsUnderPercent() {
    List<TransformerConfig> ts = transformers("[{kind: io.l5d.localhost, prefix: /mine}]");

    assertThat(ts.get(0).prefix()).isEqualTo(Path.read("/%/mine"));
  }

  @Test
  void transformersAreReadUnderANamerdInterpreterToo() {
    List<RouterConfig> rs =
        routers("[{interpreter: {kind: io.l5d.namerd, namespace: ns, transformers: [{kind: io.l5d.localhost}]}}]");

    assertThat(rs.get(0).interpreter().transformers()).containsExactly(new TransformerConfig.Localhost());
  }

  @Test
  void aPortOutOfRangeIsRefusedWithItsYamlPath() {
    assertThatThrownBy(() -> transformers("[{kind: io.l5d.port, port: 0}]"))
        .hasMessage("routers[0].interpreter.transformers[0].port: must be 1-65535");
    assertThatThrownBy(() -> transformers("[{kind: io.l5d.localhost}, {kind: io.l5d.port, port: 70000}]"))
        .hasMessage("routers[0].interpreter.transformers[1].port: must be 1-65535");
  }

  @Test
  void missingRequiredKeysAreRefusedWithTheirYamlPath() {
    assertThatThrownBy(() -> transformers("[{kind: io.l5d.port}]"))
        .hasMessage("routers[0].interpreter.transformers[0].port: is required");
    assertThatThrownBy(() -> transformers("[{kind: io.l5d.specificHost}]"))
        .hasMessage("routers[0].interpreter.transformers[0].host: is required");
    assertThatThrownBy(() -> transformers("[{kind: io.l5d.replace}]"))
        .hasMessage("routers[0].interpreter.transformers[0].path: is required");
    assertThatThrownBy(() -> transformers("[{port: 4141}]"))
        .hasMessage("routers[0].interpreter.transformers[0].kind: is required");
  }

  @Test
  void aPathThatDoesNotParseIsRefusedWithItsYamlPath() {
    assertThatThrownBy(() -> transformers("[{kind: io.l5d.const, path: 'not/a/path'}]"))
        .hasMessageStartingWith("routers[0].interpreter.transformers[0].path: not a path: ");
  }

  @Test
  void anUnknownKeyIsWarnedAboutWithItsYamlPath() {
    transformers("[{kind: io.l5d.localhost, host: x}]");

    assertThat(blocks.context.warnings())
        .containsExactly("routers[0].interpreter.transformers[0].host: unknown key (ignored)");
  }

  @Test
  void aKindTurnoutLacksLeavesItsRouterOutAsUnimplemented() {
    List<RouterConfig> rs =
        routers(
            "[{label: out, interpreter: {kind: default, transformers: [{kind: io.l5d.k8s.istio}]}}, {label: other}]");

    assertThat(rs).extracting(RouterConfig::label).containsExactly("other");
    assertThat(blocks.context.unimplemented()).singleElement().satisfies(u -> {
      assertThat(u.path()).isEqualTo("routers[0].interpreter.transformers[0].kind");
      assertThat(u.what()).startsWith("transformer kind io.l5d.k8s.istio is not implemented by Turnout");
      assertThat(u.skippable()).isTrue();
    });
  }

  @Test
  void theKubernetesTransformersReadLinkerdsKeysAndDefaults() {
    List<TransformerConfig> ts =
        transformers(
            "[{kind: io.l5d.k8s.daemonset, namespace: linkerd, port: incoming, service: l5d},"
                + " {kind: io.l5d.k8s.daemonset, namespace: linkerd, port: incoming, service: l5d, k8sHost: api, k8sPort: 8002,"
                + " hostNetwork: true}, {kind: io.l5d.k8s.localnode}, {kind: io.l5d.k8s.localnode, hostNetwork: true}]");

    assertThat(ts)
        .containsExactly(
            new TransformerConfig.K8sDaemonSet(
                Path.read("/%/io.l5d.k8s.daemonset/linkerd/incoming/l5d"), "linkerd", "l5d", "incoming", "localhost", 8001, false),
            new TransformerConfig.K8sDaemonSet(
                Path.read("/%/io.l5d.k8s.daemonset/linkerd/incoming/l5d"), "linkerd", "l5d", "incoming", "api", 8002, true),
            new TransformerConfig.K8sLocalNode(Path.read("/%/io.l5d.k8s.localnode"), false),
            new TransformerConfig.K8sLocalNode(Path.read("/%/io.l5d.k8s.localnode"), true));
    assertThat(blocks.context.warnings()).isEmpty();
  }

  @Test
  void aDaemonSetWithoutItsServiceNamesTheMissingKey() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> transformers("[{kind: io.l5d.k8s.daemonset, namespace: linkerd, port: incoming}]"))
        .hasMessageContaining("transformers[0].service: is required");
  }
}
