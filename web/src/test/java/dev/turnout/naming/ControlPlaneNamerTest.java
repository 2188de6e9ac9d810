package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.web.api.ApiServer;

import dev.turnout.config.InterpreterConfig;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.testing.Await;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names under {@code /#} that a proxy has no namer for, bound by the control plane it follows through
 * namerd's bind API, as Linkerd's io.l5d.namerd.http leaves them to namerd: here the control plane has
 * an {@code io.l5d.fs} namer and the proxy has none.
 */
class ControlPlaneNamerTest {
  private static final Dtab DTAB = Dtab.read("/svc => /#/io.l5d.fs");

  @TempDir java.nio.file.Path dir;
  private FsNamer fs;
  private ApiServer controlPlane;
  private ControlPlaneNamer remote;
  private Interpreter proxy;

  @BeforeEach
  void start() throws Exception {
    java.nio.file.Path disco = Files.createDirectories(dir.resolve("disco"));
    Files.writeString(disco.resolve("users"), "127.0.0.1 8081\n");
    fs = new FsNamer(disco, FsNamer.DEFAULT_PREFIX, Duration.ofMillis(50));
    controlPlane = new ApiServer(
        JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir.resolve("data"))).passwordIterations(2).open(),
        new Interpreter(List.of(new Interpreter.Mount(FsNamer.DEFAULT_PREFIX, fs))));
    controlPlane.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /#/io.l5d.fs;");
    remote = new ControlPlaneNamer(
        List.of("127.0.0.1:" + controlPlane.port()), "default", Optional.empty());
    proxy = new Interpreter(List.of(new Interpreter.Mount(ControlPlaneNamer.PREFIX, remote)));
  }

  @AfterEach
  void stop() throws Exception {
    remote.close();
    controlPlane.close();
    fs.close();
  }

  private BoundName bind(String path) {
    NameTree<BoundName> t = proxy.bind(DTAB, Path.read(path));
    assertThat(t).isInstanceOf(NameTree.Leaf.class);
    return ((NameTree.Leaf<BoundName>) t).value();
  }

  @Test
  void aNameTheProxyHasNoNamerForIsBoundByTheControlPlaneWithItsIdAndAddresses() {
    BoundName first = bind("/svc/users");
    await(() -> first.addr().get() instanceof Addr.Bound);
    assertThat(((Addr.Bound) first.addr().get()).addresses()).extracting(Address::hostPort).containsExactly("127.0.0.1:8081");

    BoundName again = bind("/svc/users");

    assertThat(again.id()).isEqualTo(Path.read("/#/io.l5d.fs/users"));
    assertThat(again.residual()).isEqualTo(Path.EMPTY);
  }

  @Test
  void aLongerPathUnderAKnownIdKeepsItsRestAsResidual() {
    BoundName first = bind("/svc/users");
    await(() -> first.addr().get() instanceof Addr.Bound);

    BoundName deeper = bind("/svc/users/v2/list");

    assertThat(deeper.id()).isEqualTo(Path.read("/#/io.l5d.fs/users"));
    assertThat(deeper.residual()).isEqualTo(Path.read("/v2/list"));
    assertThat(deeper.addr().get()).isInstanceOf(Addr.Bound.class);
  }

  @Test
  void endpointsMovingOnTheControlPlaneReachTheProxy() throws Exception {
    BoundName users = bind("/svc/users");
    await(() -> users.addr().get() instanceof Addr.Bound);
    BoundName settled = bind("/svc/users");

    Files.writeString(dir.resolve("disco/users.tmp"), "127.0.0.1 8082\n");
    Files.move(dir.resolve("disco/users.tmp"), dir.resolve("disco/users"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);

    await(() -> settled.addr().get() instanceof Addr.Bound b
        && b.addresses().stream().map(Address::hostPort).toList().equals(List.of("127.0.0.1:8082")));
  }

  @Test
  void aNameTheControlPlaneDoesNotKnowBecomesNeg() {
    long before = remote.generation();
    BoundName missing = bind("/svc/nobody");

    await(() -> missing.addr().get() instanceof Addr.Neg);
    await(() -> remote.generation() > before);
    assertThat(proxy.bind(DTAB, Path.read("/svc/nobody"))).isInstanceOf(NameTree.Neg.class);
  }

  private static void await(BooleanSupplier condition) {
    Await.until(Duration.ofSeconds(15), condition);
  }
}
