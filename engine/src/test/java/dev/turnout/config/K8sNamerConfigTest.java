package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading an {@code io.l5d.k8s} namer block: Linkerd's keys and defaults, Turnout's inCluster. */
class K8sNamerConfigTest {
  @TempDir java.nio.file.Path dir;

  private TurnoutConfig parse(String namer) {
    return ConfigLoader.parse("namers:\n" + namer + "routers:\n- protocol: http\n  dtab: /svc => /#/io.l5d.k8s/prod/http;\n", dir, dir.resolve("data"));
  }

  @Test
  void aBareBlockTakesLinkerdsDefaultsKubectlProxyOnLocalhost8001() {
    TurnoutConfig config = parse("- kind: io.l5d.k8s\n");

    assertThat(config.namers())
        .containsExactly(new NamerConfig.K8s(Path.read("/#/io.l5d.k8s"), "localhost", 8001, Optional.empty(), false));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void everyLinkerdKeyIsReadAndExperimentalIsAccepted() {
    TurnoutConfig config =
        parse("- kind: io.l5d.k8s\n  experimental: true\n  prefix: /k8s-east\n  host: 10.0.0.5\n  port: 8002\n  labelSelector: version\n");

    assertThat(config.namers())
        .containsExactly(new NamerConfig.K8s(Path.read("/#/k8s-east"), "10.0.0.5", 8002, Optional.of("version"), false));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void inClusterReadsTheServiceAccountInsteadOfHostAndPort() {
    assertThat(parse("- kind: io.l5d.k8s\n  inCluster: true\n").namers())
        .singleElement()
        .satisfies(n -> assertThat(((NamerConfig.K8s) n).inCluster()).isTrue());
    assertThatThrownBy(() -> parse("- kind: io.l5d.k8s\n  inCluster: true\n  host: localhost\n"))
        .hasMessageContaining("namers[0]: inCluster takes the API server from KUBERNETES_SERVICE_HOST/PORT");
  }

  @Test
  void badValuesNameTheirKeyAndUnknownKeysAreWarnedOf() {
    assertThatThrownBy(() -> parse("- kind: io.l5d.k8s\n  port: 70000\n")).hasMessageContaining("namers[0].port: must be 1-65535");
    assertThatThrownBy(() -> parse("- kind: io.l5d.k8s\n  port: 0\n")).hasMessageContaining("namers[0].port: must be 1-65535");
    assertThatThrownBy(() -> parse("- kind: io.l5d.k8s\n  labelSelector: 'a=b'\n"))
        .hasMessageContaining("namers[0]: io.l5d.k8s: labelSelector is a label key, not a=b");
    assertThat(parse("- kind: io.l5d.k8s\n  hots: localhost\n").warnings()).anyMatch(w -> w.contains("namers[0].hots") && w.contains("unknown key"));
  }
}
