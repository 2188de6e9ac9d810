package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.web.api.ApiServer;

import dev.turnout.config.InterpreterConfig;
import dev.turnout.testing.Await;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router following control planes over namerd's HTTP API ({@link NamerdHttpDtabSource}), against
 * real control-plane API servers: it follows commits with their text as written, keeps its routes while
 * no control plane answers, and moves to the next control plane when one stops.
 */
class NamerdHttpFollowTest {
  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private ApiServer controlPlane() {
    ApiServer api = new ApiServer(dir);
    open.add(api);
    return api;
  }

  private NamerdHttpDtabSource follow(String routerDtab, ApiServer... planes) {
    List<InterpreterConfig.ControlPlane> cps = new ArrayList<>();
    for (ApiServer p : planes) {
      cps.add(new InterpreterConfig.ControlPlane("127.0.0.1", p.port()));
    }
    NamerdHttpDtabSource s =
        new NamerdHttpDtabSource(
            new InterpreterConfig(InterpreterConfig.REMOTE, "default", cps, Duration.ofMillis(50), Duration.ofMillis(200)),
            routerDtab,
            Optional.empty(),
            Clock.systemUTC());
    open.add(s);
    return s;
  }

  /**
   * A control plane whose next version does not parse here (a namerd or a newer Turnout can hold
   * dtabs this one cannot read): the follower keeps its routes, and says it is on the version in force,
   * with the refused one as its problem, so the fleet does not count it as converged.
   */
  @Test
  void aVersionThatDoesNotParseHereIsRefusedAndTheVersionInForceIsWhatIsReported() throws Exception {
    java.util.concurrent.atomic.AtomicReference<String[]> served =
        new java.util.concurrent.atomic.AtomicReference<>(new String[] {"1", "/svc => /$/inet/127.0.0.1/8080;"});
    java.util.concurrent.BlockingQueue<String> pushes = new java.util.concurrent.LinkedBlockingQueue<>();
    io.javalin.Javalin fake = io.javalin.Javalin.create(config -> config.routes.get("/api/1/dtabs/default", ctx -> {
          if ("true".equals(ctx.queryParam("watch"))) {
            ctx.res().setContentType("application/json");
            java.io.OutputStream out = ctx.res().getOutputStream();
            out.write("[]\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            for (String line; !(line = pushes.take()).equals("end"); ) {
              out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
              out.flush();
            }
            return;
          }
          String[] now = served.get();
          ctx.header("ETag", dev.turnout.store.ETags.of(Long.parseLong(now[0])));
          ctx.contentType("application/dtab").result(now[1]);
        }))
        .start("127.0.0.1", 0);
    try {
      NamerdHttpDtabSource source =
          new NamerdHttpDtabSource(
              new InterpreterConfig(InterpreterConfig.REMOTE, "default",
                  List.of(new InterpreterConfig.ControlPlane("127.0.0.1", fake.port())), Duration.ofMillis(50), Duration.ofMillis(200)),
              "", Optional.empty(), Clock.systemUTC());
      open.add(source);
      await(() -> source.current().version() == 1);

      served.set(new String[] {"2", "/svc => => not a dtab"});
      pushes.add("[\"changed\"]");

      await(() -> source.status().problem().isPresent());
      assertThat(source.status().version()).isEqualTo(1);
      assertThat(source.status().problem().get()).startsWith("version 2 of the dtab does not parse here");
      assertThat(source.current().version()).isEqualTo(1);
      assertThat(source.current().text()).contains("/$/inet/127.0.0.1/8080");
    } finally {
      pushes.add("end");
      fake.stop();
    }
  }

  @Test
  void followsEachCommitWithItsTextAsWrittenAndItsVersion() throws Exception {
    ApiServer cp = controlPlane();
    cp.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/8080;");
    NamerdHttpDtabSource source = follow("/extra => /$/inet/127.0.0.1/1;", cp);
    await(() -> source.current().version() == 1);
    List<Long> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
    source.onChange(() -> changes.add(source.current().version()));

    cp.write("PUT", "/api/1/dtabs/default", "application/dtab",
        "# shadow 10% to v2\n#@mirror /svc/users => /$/inet/127.0.0.1/9999 10%\n/svc => /$/inet/127.0.0.1/9090;\n");

    await(() -> source.current().version() == 2);
    assertThat(source.current().text()).contains("#@mirror").contains("/extra => /$/inet/127.0.0.1/1;");
    assertThat(source.current().mirrors()).hasSize(1);
    assertThat(source.current().dtab().show()).isEqualTo("/svc=>/$/inet/127.0.0.1/9090;/extra=>/$/inet/127.0.0.1/1");
    assertThat(source.status().following()).contains("127.0.0.1:" + cp.port());
    assertThat(changes).containsExactly(2L);
  }

  @Test
  void keepsItsRoutesWhileNoControlPlaneAnswersAndCatchesUpWhenOneDoes() throws Exception {
    ApiServer first = controlPlane();
    first.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/8080;");
    NamerdHttpDtabSource source = follow("", first);
    await(() -> source.current().version() == 1);

    first.stopServing();

    await(() -> source.status().following().isEmpty());
    assertThat(source.current().version()).isEqualTo(1);
    assertThat(source.current().dtab().show()).isEqualTo("/svc=>/$/inet/127.0.0.1/8080");
    assertThat(source.status().problem()).isPresent();
  }

  @Test
  void aStoppedControlPlaneIsLeftForTheNextAndItsCommitsArrive() throws Exception {
    ApiServer a = controlPlane();
    ApiServer b = controlPlane();
    a.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/8080;");
    NamerdHttpDtabSource source = follow("", a, b);
    await(() -> source.current().version() == 1);
    assertThat(source.status().following()).contains("127.0.0.1:" + a.port());

    a.stopServing();
    b.write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/9090;");

    await(() -> source.current().version() == 2);
    assertThat(source.status().following()).contains("127.0.0.1:" + b.port());
    assertThat(source.current().dtab().show()).isEqualTo("/svc=>/$/inet/127.0.0.1/9090");
  }

  @Test
  void aFollowerThatFailedOverGoesBackToItsFirstControlPlaneWhenItReturns() throws Exception {
    ApiServer a = controlPlane();
    ApiServer b = controlPlane();
    a.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/8080;");
    b.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/8080;");
    NamerdHttpDtabSource source = new NamerdHttpDtabSource(
        new InterpreterConfig(InterpreterConfig.REMOTE, "default",
            List.of(new InterpreterConfig.ControlPlane("127.0.0.1", a.port()),
                new InterpreterConfig.ControlPlane("127.0.0.1", b.port())),
            Duration.ofMillis(50), Duration.ofMillis(200)),
        "", Optional.empty(), Clock.systemUTC(), Optional.empty(), Duration.ofMillis(100));
    open.add(source);
    await(() -> source.status().following().equals(Optional.of("127.0.0.1:" + a.port())));
    int aPort = a.port();
    a.stopServing();
    await(() -> source.status().following().equals(Optional.of("127.0.0.1:" + b.port())));

    ApiServer back = new ApiServer(a.store(), new dev.turnout.naming.Interpreter(List.of()), aPort);
    open.add(back);
    back.write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/7070;");

    await(() -> source.status().following().equals(Optional.of("127.0.0.1:" + aPort)));
    await(() -> source.current().dtab().show().equals("/svc=>/$/inet/127.0.0.1/7070"));
  }

  @Test
  void aFollowerOnItsFirstControlPlaneStaysThereWhileALaterOneAnswers() throws Exception {
    ApiServer a = controlPlane();
    ApiServer b = controlPlane();
    a.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/8080;");
    NamerdHttpDtabSource source = new NamerdHttpDtabSource(
        new InterpreterConfig(InterpreterConfig.REMOTE, "default",
            List.of(new InterpreterConfig.ControlPlane("127.0.0.1", a.port()),
                new InterpreterConfig.ControlPlane("127.0.0.1", b.port())),
            Duration.ofMillis(50), Duration.ofMillis(200)),
        "", Optional.empty(), Clock.systemUTC(), Optional.empty(), Duration.ofMillis(50));
    open.add(source);
    await(() -> source.current().version() == 1);

    a.write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/9090;");

    await(() -> source.current().version() == 2);
    assertThat(source.status().following()).contains("127.0.0.1:" + a.port());
  }

  @Test
  void anAbsentNamespaceRoutesByTheRoutersOwnDtabUntilItIsCreated() throws Exception {
    ApiServer cp = controlPlane();
    NamerdHttpDtabSource source = follow("/own => /$/inet/127.0.0.1/1;", cp);
    await(() -> source.status().following().isPresent());
    assertThat(source.current().version()).isZero();
    assertThat(source.current().dtab().show()).isEqualTo("/own=>/$/inet/127.0.0.1/1");

    cp.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/8080;");

    await(() -> source.current().version() == 1);
    assertThat(source.current().dtab().show()).isEqualTo("/svc=>/$/inet/127.0.0.1/8080;/own=>/$/inet/127.0.0.1/1");
  }

  @Test
  void aDeletedNamespaceFallsBackToTheRoutersOwnDtab() throws Exception {
    ApiServer cp = controlPlane();
    cp.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/127.0.0.1/8080;");
    NamerdHttpDtabSource source = follow("", cp);
    await(() -> source.current().version() == 1);

    cp.send(cp.asOperator("/api/1/dtabs/default").DELETE());

    await(() -> source.current().version() == 0);
    assertThat(source.current().dtab().show()).isEmpty();
  }

  private static void await(BooleanSupplier condition) {
    Await.until(Duration.ofSeconds(15), condition);
  }
}
