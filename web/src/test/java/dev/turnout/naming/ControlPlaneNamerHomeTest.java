package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.testing.Await;
import dev.turnout.web.api.ApiServer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy's names follow the first control plane its config names; after failing over to a later one
 * they go back when the first returns, and while none answers they keep their endpoints and the namer
 * says it is stale. Each control plane here has its own {@code io.l5d.fs} directory, so which one a
 * name is bound by shows in its endpoints.
 */
class ControlPlaneNamerHomeTest {
  private static final Dtab DTAB = Dtab.read("/svc => /#/io.l5d.fs");

  @TempDir java.nio.file.Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private record Plane(ApiServer api, FsNamer fs, JdbcDtabStore store, Interpreter namers) {}

  private Plane plane(String name, int port) throws Exception {
    java.nio.file.Path disco = Files.createDirectories(dir.resolve(name + "-disco"));
    Files.writeString(disco.resolve("users"), "127.0.0.1 " + port + "\n");
    FsNamer fs = new FsNamer(disco, FsNamer.DEFAULT_PREFIX, Duration.ofMillis(50));
    open.add(fs);
    JdbcDtabStore store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir.resolve(name + "-data"))).passwordIterations(2).open();
    Interpreter namers = new Interpreter(List.of(new Interpreter.Mount(FsNamer.DEFAULT_PREFIX, fs)));
    ApiServer api = new ApiServer(store, namers);
    open.add(api);
    api.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /#/io.l5d.fs;");
    return new Plane(api, fs, store, namers);
  }

  private static String endpoints(BoundName b) {
    return b.addr().get() instanceof Addr.Bound bound
        ? String.join(",", bound.addresses().stream().map(Address::hostPort).toList())
        : b.addr().get().toString();
  }

  @Test
  void namesGoBackToTheFirstControlPlaneWhenItReturns() throws Exception {
    Plane a = plane("a", 8081);
    Plane b = plane("b", 8082);
    ControlPlaneNamer remote = new ControlPlaneNamer(
        List.of("127.0.0.1:" + a.api().port(), "127.0.0.1:" + b.api().port()), "default", Optional.empty(),
        Duration.ofSeconds(45), Optional.empty(), Duration.ofMillis(100));
    open.add(remote);
    Interpreter proxy = new Interpreter(List.of(new Interpreter.Mount(ControlPlaneNamer.PREFIX, remote)));
    BoundName users = ((NameTree.Leaf<BoundName>) proxy.bind(DTAB, Path.read("/svc/users"))).value();
    await(() -> endpoints(users).equals("127.0.0.1:8081"));
    int aPort = a.api().port();

    a.api().stopServing();
    await(() -> endpoints(users).equals("127.0.0.1:8082"));
    ApiServer back = new ApiServer(a.store(), a.namers(), aPort);
    open.add(back);

    await(() -> endpoints(users).equals("127.0.0.1:8081"));
    assertThat(remote.status()).hasValueSatisfying(s -> assertThat(s.stale()).isFalse());
  }

  @Test
  void whileNoControlPlaneAnswersNamesKeepTheirEndpointsAndTheNamerSaysItIsStale() throws Exception {
    Plane a = plane("a", 8081);
    ControlPlaneNamer remote = new ControlPlaneNamer(
        List.of("127.0.0.1:" + a.api().port()), "default", Optional.empty(),
        Duration.ofSeconds(45), Optional.empty(), Duration.ofMillis(100));
    open.add(remote);
    Interpreter proxy = new Interpreter(List.of(new Interpreter.Mount(ControlPlaneNamer.PREFIX, remote)));
    BoundName users = ((NameTree.Leaf<BoundName>) proxy.bind(DTAB, Path.read("/svc/users"))).value();
    await(() -> endpoints(users).equals("127.0.0.1:8081"));
    assertThat(remote.status().orElseThrow().stale()).isFalse();

    a.api().stopServing();

    await(() -> remote.status().orElseThrow().stale());
    assertThat(endpoints(users)).isEqualTo("127.0.0.1:8081");
    assertThat(remote.status().orElseThrow().lastError()).isPresent();
    assertThat(remote.names()).containsKey(Path.read("/#/io.l5d.fs/users"));
  }

  private static void await(BooleanSupplier condition) {
    Await.until(Duration.ofSeconds(20), condition);
  }
}
