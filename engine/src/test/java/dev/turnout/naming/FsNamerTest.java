package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsNamerTest {
  private static final Duration WITHIN_A_SECOND = Duration.ofSeconds(1);

  @TempDir java.nio.file.Path dir;
  private FsNamer namer;

  private FsNamer namer() {
    namer = new FsNamer(dir, FsNamer.DEFAULT_PREFIX, Duration.ofMillis(50));
    return namer;
  }

  @AfterEach
  void close() {
    if (namer != null) {
      namer.close();
    }
  }

  private void write(String file, String text) throws IOException {
    java.nio.file.Path p = dir.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private static BoundName bound(NameTree<Name> tree) {
    assertThat(tree).isInstanceOf(NameTree.Leaf.class);
    return ((Name.Resolved) ((NameTree.Leaf<Name>) tree).value()).bound();
  }

  @Test
  void aFileBindsToItsEndpointsWithTheRestAsResidual() throws IOException {
    write("users", "# the users service\n127.0.0.1 8080\n\n10.0.0.2 9090 * 2.5\n");

    BoundName b = bound(namer().lookup(Path.read("/users/v1/api")));

    assertThat(b.id()).isEqualTo(Path.read("/#/io.l5d.fs/users"));
    assertThat(b.residual()).isEqualTo(Path.read("/v1/api"));
    assertThat(b.addr().get())
        .isEqualTo(
            new Addr.Bound(
                List.of(new Address("127.0.0.1", 8080), new Address("10.0.0.2", 9090, 2.5, Map.of()))));
  }

  @Test
  void aMissingFileIsNeg() {
    assertThat(namer().lookup(Path.read("/nobody"))).isEqualTo(NameTree.neg());
  }

  @Test
  void anEmptyFileIsABoundEmptySet() throws IOException {
    write("idle", "# nobody home\n\n");

    assertThat(bound(namer().lookup(Path.read("/idle"))).addr().get()).isEqualTo(new Addr.Bound(List.of()));
  }

  @Test
  void aMalformedLineFailsTheFileNamingFileAndLine() throws IOException {
    write("web", "127.0.0.1 8080\n127.0.0.1 eighty\n");

    Addr addr = bound(namer().lookup(Path.read("/web"))).addr().get();

    assertThat(addr).isInstanceOf(Addr.Failed.class);
    assertThat(((Addr.Failed) addr).message()).startsWith("web:2: ").contains("127.0.0.1 eighty");
  }

  @Test
  void subDirectoriesNest() throws IOException {
    write("team/web", "127.0.0.1 8081\n");

    BoundName b = bound(namer().lookup(Path.read("/team/web/x")));

    assertThat(b.id()).isEqualTo(Path.read("/#/io.l5d.fs/team/web"));
    assertThat(b.residual()).isEqualTo(Path.read("/x"));
    assertThat(namer.lookup(Path.read("/team"))).isEqualTo(NameTree.neg());
  }

  @Test
  void namesThatWouldLeaveTheDirectoryAreNeg() throws IOException {
    write(".hidden", "127.0.0.1 1\n");

    assertThat(namer().lookup(Path.read("/.hidden"))).isEqualTo(NameTree.neg());
    assertThat(namer.lookup(Path.of(".."))).isEqualTo(NameTree.neg());
    assertThat(namer.lookup(Path.of("a/b"))).isEqualTo(NameTree.neg());
  }

  @Test
  void aNewFileIsBoundWithinASecondAndBumpsTheGeneration() throws IOException {
    FsNamer n = namer();
    long before = n.generation();
    AtomicInteger heard = new AtomicInteger();
    n.onChange(heard::incrementAndGet);

    write("late", "127.0.0.1 7000\n");

    Await.until(WITHIN_A_SECOND, () -> n.lookup(Path.read("/late")) instanceof NameTree.Leaf);
    assertThat(n.generation()).isGreaterThan(before);
    assertThat(heard.get()).isPositive();
  }

  @Test
  void changedLinesUpdateTheVarAlreadyHandedOut() throws IOException {
    write("users", "127.0.0.1 8080\n");
    FsNamer n = namer();
    Var<Addr> live = bound(n.lookup(Path.read("/users"))).addr();
    long generation = n.generation();

    write("users", "127.0.0.1 8080\n127.0.0.1 8081\n");

    Await.until(WITHIN_A_SECOND, () -> ((Addr.Bound) live.get()).addresses().size() == 2);
    assertThat(bound(n.lookup(Path.read("/users"))).addr().get()).isEqualTo(live.get());
    assertThat(n.generation()).isEqualTo(generation);
  }

  @Test
  void aRemovedFileTurnsNegForBindingAndForLiveRouters() throws IOException {
    write("gone", "127.0.0.1 8080\n");
    FsNamer n = namer();
    Var<Addr> live = bound(n.lookup(Path.read("/gone"))).addr();
    long generation = n.generation();

    Files.delete(dir.resolve("gone"));

    Await.until(WITHIN_A_SECOND, () -> n.lookup(Path.read("/gone")) instanceof NameTree.Neg);
    assertThat(live.get()).isEqualTo(new Addr.Neg());
    assertThat(n.generation()).isGreaterThan(generation);
  }

  @Test
  void theMountPrefixStartsEveryId() throws IOException {
    write("users", "127.0.0.1 8080\n");
    namer = new FsNamer(dir, Path.read("/#/disco"), Duration.ofMillis(50));

    assertThat(bound(namer.lookup(Path.read("/users"))).id()).isEqualTo(Path.read("/#/disco/users"));
  }

  @Test
  void aMissingFileFallsBackThroughAnAltWhileAnEmptyOneDoesNot() throws IOException {
    write("fallback", "127.0.0.1 9000\n");
    write("empty", "");
    Interpreter interpreter =
        new Interpreter(List.of(new Interpreter.Mount(FsNamer.DEFAULT_PREFIX, namer())));
    Dtab dtab = Dtab.read("/svc => /#/io.l5d.fs/fallback; /svc => /#/io.l5d.fs/missing; /e => /#/io.l5d.fs/fallback; /e => /#/io.l5d.fs/empty");

    assertThat(interpreter.bind(dtab, Path.read("/svc")).show())
        .isEqualTo("/#/io.l5d.fs/fallback");
    assertThat(interpreter.bind(dtab, Path.read("/e")).show()).isEqualTo("/#/io.l5d.fs/empty");
  }
}
