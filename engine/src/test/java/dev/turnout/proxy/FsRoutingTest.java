package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.naming.FsNamer;
import dev.turnout.naming.Interpreter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing through the real io.l5d.fs namer: weighted endpoint lines, live file changes, failover. */
class FsRoutingTest {
  @TempDir Path disco;
  private final Backend a = Backend.named("a");
  private final Backend b = Backend.named("b");
  private FsNamer namer;
  private Fixture fx;

  @AfterEach
  void stop() throws Exception {
    if (fx != null) {
      fx.close();
    }
    if (namer != null) {
      namer.close();
    }
    a.close();
    b.close();
  }

  private void start(String dtab) {
    namer = new FsNamer(disco, FsNamer.DEFAULT_PREFIX, Duration.ofMillis(50));
    fx = new Fixture(Fixture.router(dtab), new Interpreter(List.of(new Interpreter.Mount(namer.mountPrefix(), namer))));
  }

  @Test
  void weightedEndpointLinesSplitTrafficWithinABoundName() throws Exception {
    Files.writeString(disco.resolve("users"), "127.0.0.1 " + a.port() + " * 1\n127.0.0.1 " + b.port() + " * 3\n");
    start("/svc => /#/io.l5d.fs;");

    int toB = 0;
    for (int i = 0; i < 1000; i++) {
      toB += fx.get("users", "/").body().equals("b") ? 1 : 0;
    }

    assertThat(toB / 1000.0).isBetween(0.65, 0.85);
  }

  @Test
  void alternativeMovesToWestWhenEastGoesDownAndBackWhenItRecovers() throws Exception {
    Files.writeString(disco.resolve("east"), "127.0.0.1 " + a.port() + "\n");
    Files.writeString(disco.resolve("west"), "127.0.0.1 " + b.port() + "\n");
    start("/svc/users => /#/io.l5d.fs/east | /#/io.l5d.fs/west;");
    assertThat(fx.get("users", "/").body()).isEqualTo("a");

    a.stop();
    long down = System.nanoTime();
    Fixture.await(() -> fx.get("users", "/").body().equals("b"), Duration.ofSeconds(1));
    Duration failover = Duration.ofNanos(System.nanoTime() - down);
    a.restart();
    fx.advance(Duration.ofSeconds(6));

    assertThat(failover).isLessThan(Duration.ofSeconds(1));
    assertThat(fx.get("users", "/").body()).isEqualTo("a");
  }

  @Test
  void endpointFileEditTakesEffectLive() throws Exception {
    Files.writeString(disco.resolve("users"), "127.0.0.1 " + a.port() + "\n");
    start("/svc => /#/io.l5d.fs;");
    assertThat(fx.get("users", "/").body()).isEqualTo("a");

    Files.writeString(disco.resolve("users"), "127.0.0.1 " + b.port() + "\n");

    Fixture.await(() -> fx.get("users", "/").body().equals("b"), Duration.ofSeconds(5));
  }
}
