package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ConfigLoader;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.dnssrv.Dnsmasq;
import dev.turnout.testing.Await;
import dev.turnout.testing.Cleanup;
import dev.turnout.tls.TlsReloader;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A config's io.l5d.dnssrv block starts a namer that the process's interpreter binds through. */
class DnsSrvNamerStartTest {
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir java.nio.file.Path dir;

  @Test
  void configuredNamerAnswersUnderItsPrefix() {
    Dnsmasq dns =
        cleanup.add(
            Dnsmasq.start(
                dir.resolve("dns"),
                List.of(Dnsmasq.srv("_http._tcp.users.test", "a.test", 8081, 0, 1), Dnsmasq.host("a.test", "127.0.0.11"))));
    TurnoutConfig config =
        ConfigLoader.parse(
            "namers:\n- kind: io.l5d.dnssrv\n  experimental: true\n  prefix: /srv\n  refreshIntervalSeconds: 1\n"
                + "  dnsHosts: ['127.0.0.1:" + dns.port() + "']\n",
            dir, dir.resolve("data"));
    Resources resources = cleanup.add(new Resources());

    DataPlane plane = DataPlane.namers(config, resources, Clock.systemUTC(),
        dev.turnout.proxy.ProxyTls.load(config.routers(), cleanup.add(TlsReloader.system())));

    Path id = Path.read("/#/srv/_http._tcp.users.test");
    Await.until("bound", Duration.ofSeconds(10), () -> plane.interpreter().addr(id) instanceof Addr.Bound);
    assertThat(((Addr.Bound) plane.interpreter().addr(id)).addresses()).containsExactly(new Address("127.0.0.11", 8081));
  }
}
