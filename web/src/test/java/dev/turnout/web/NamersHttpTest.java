package dev.turnout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.FsNamer;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.Name;
import dev.turnout.naming.Namer;
import dev.turnout.naming.NamerStatus;
import dev.turnout.naming.Var;
import dev.turnout.testing.Await;
import dev.turnout.testing.PerTest;
import dev.turnout.web.routing.InterpreterPreview;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NamersHttpTest {
  private static final Instant HEARD = Instant.parse("2026-12-07T04:01:02Z");

  /** A registry namer that lost its registry: it keeps the endpoints it had and says so. */
  private static final class OutOfReach implements Namer {
    private final Var<Addr> users = new Var<>(new Addr.Bound(List.of(new Address("10.0.0.7", 8080))));

    @Override
    public NameTree<Name> lookup(Path path) {
      if (!path.equals(Path.of("users"))) {
        return NameTree.neg();
      }
      return NameTree.leaf(new Name.Resolved(new BoundName(Path.read("/#/reg/users"), Path.EMPTY, users)));
    }

    @Override
    public Optional<NamerStatus> status() {
      return Optional.of(new NamerStatus("registry http://127.0.0.1:1", Optional.of(HEARD),
          Optional.of("connection refused"), true));
    }

    @Override
    public Map<Path, Addr> names() {
      return Map.of(Path.read("/#/reg/users"), users.get());
    }
  }

  private FsNamer fs;
  private java.nio.file.Path disco;

  @RegisterExtension
  final PerTest<DashboardFixture> dash = PerTest.of(this::start);

  private DashboardFixture start(java.nio.file.Path d) {
    try {
      disco = Files.createDirectories(d.resolve("disco"));
      Files.writeString(disco.resolve("users"), "127.0.0.1 9001\n127.0.0.1 9002 * 3\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    fs = new FsNamer(disco, Path.read("/#/io.l5d.fs"), Duration.ofMillis(20));
    Interpreter interpreter = new Interpreter(List.of(
        new Interpreter.Mount(Path.read("/#/io.l5d.fs"), fs), new Interpreter.Mount(Path.read("/#/reg"), new OutOfReach())));
    return new DashboardFixture(d.resolve("store"), new InterpreterPreview(interpreter));
  }

  @AfterEach
  void closeNamer() {
    fs.close();
  }

  @Test
  void thePanelListsEachNamersSourceAndTheNamesItFollowsWithTheirEndpoints() {
    HttpResponse r = get("/namers");

    assertThat(r.status).isEqualTo(200);
    assertThat(r.body).contains("<h1>Namers</h1>").contains("hx-trigger=\"every 2s\"");
    assertThat(r.body).contains("data-prefix=\"/#/io.l5d.fs\"").contains("directory ")
        .contains("/#/io.l5d.fs/users").contains("127.0.0.1:9001, 127.0.0.1:9002 ×3").contains("bound (2)");
  }

  @Test
  void aNamerThatLostItsRegistryIsShownStaleWithItsLastEndpointsAndTheError() {
    HttpResponse r = get("/namers");

    String reg = r.body.substring(r.body.indexOf("data-prefix=\"/#/reg\""));
    assertThat(reg).contains("data-testid=\"stale\"").contains("STALE")
        .contains("last answer 2026-12-07 04:01:02 UTC").contains("last error: connection refused")
        .contains("10.0.0.7:8080");
    String fsPart = r.body.substring(r.body.indexOf("data-prefix=\"/#/io.l5d.fs\""), r.body.indexOf("data-prefix=\"/#/reg\""));
    assertThat(fsPart).doesNotContain("data-testid=\"stale\"");
  }

  @Test
  void thePreviewTreeSaysWhereABoundNameComesFromAndThatItIsStale() {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    b.get("/dtabs/default");

    var r = b.htmx("/dtabs/default/check", Map.of("text", "/svc/users => /#/reg/users;", "path", "/svc/users"));

    assertThat(r.body()).contains("class=\"source stale\"").contains("registry http://127.0.0.1:1")
        .contains("last error: connection refused");
  }

  @Test
  void aFileThatAppearsIsListedOnTheNextRefresh() throws Exception {
    Files.writeString(disco.resolve("billing"), "127.0.0.1 9100\n");

    Await.until(Duration.ofSeconds(5), () -> get("/namers").body.contains("/#/io.l5d.fs/billing"));
  }

  private record HttpResponse(int status, String body) {}

  private HttpResponse get(String path) {
    var r = dash.get().browser().signIn("admin").get(path);
    return new HttpResponse(r.statusCode(), r.body());
  }
}
