package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ConfigLoader;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.consul.ConsulNamer;
import dev.turnout.naming.consul.ConsulSettings;
import dev.turnout.tls.TlsReloader;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An io.l5d.consul block starts a consul namer with its settings, mounted at its prefix. */
class ConsulDataPlaneTest {
  @TempDir java.nio.file.Path dir;

  @Test
  void aConsulBlockStartsAConsulNamerWithItsKeys() throws Exception {
    TurnoutConfig config =
        ConfigLoader.parse(
            """
            namers:
            - kind: io.l5d.consul
              prefix: /consul
              host: 127.0.0.1
              port: 1
              token: t0ken
              includeTag: true
              useHealthCheck: true
              healthStatuses: [passing, warning]
              consistencyMode: consistent
              preferServiceAddress: false
              weights: [{tag: primary, weight: 5}]
              setHost: true
            """,
            dir,
            dir.resolve("data"));
    Resources resources = new Resources();

    DataPlane plane = DataPlane.namers(config, resources, Clock.systemUTC(),
        dev.turnout.proxy.ProxyTls.load(config.routers(), new TlsReloader(System::nanoTime, Duration.ofSeconds(1))));

    Interpreter.Mount mount = plane.interpreter().mounts().get(0);
    assertThat(mount.prefix()).isEqualTo(Path.read("/#/consul"));
    assertThat(mount.namer()).isInstanceOf(ConsulNamer.class);
    ConsulSettings s = ((ConsulNamer) mount.namer()).settings();
    assertThat(s.base()).isEqualTo(URI.create("http://127.0.0.1:1"));
    assertThat(s.token()).isEqualTo(Optional.of("t0ken"));
    assertThat(s.includeTag()).isTrue();
    assertThat(s.useHealthCheck()).isTrue();
    assertThat(s.healthStatuses()).isEqualTo(Set.of(ConsulSettings.HealthStatus.PASSING, ConsulSettings.HealthStatus.WARNING));
    assertThat(s.consistency()).isEqualTo(ConsulSettings.Consistency.CONSISTENT);
    assertThat(s.preferServiceAddress()).isFalse();
    assertThat(s.weights()).isEqualTo(Map.of("primary", 5.0));
    assertThat(s.setHost()).isTrue();
    assertThat(mount.namer().status()).hasValueSatisfying(st -> assertThat(st.source()).isEqualTo("consul http://127.0.0.1:1"));
    resources.close();
  }
}
