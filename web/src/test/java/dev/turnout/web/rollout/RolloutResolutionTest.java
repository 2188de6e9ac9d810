package dev.turnout.web.rollout;

import static dev.turnout.web.rollout.RolloutRig.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.naming.DelegateTree;
import dev.turnout.naming.FsNamer;
import dev.turnout.naming.Interpreter;
import dev.turnout.store.DtabText;
import dev.turnout.testing.Await;
import dev.turnout.testing.PerTest;
import dev.turnout.web.routing.InterpreterPreview;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A canary or stable written as a path the dtab binds (not a bound id) is judged on the figures of the
 * bound ids it resolves to, through a real fs namer and the preview's delegation; one that routes
 * nowhere is refused at the start, or pauses the rollout at a step.
 */
class RolloutResolutionTest {
  private static final String USERS = "/#/io.l5d.fs/users";
  private static final String USERS_V2 = "/#/io.l5d.fs/users-v2";
  /** The stable and the canary are written through /srv, bound by a dentry of the same dtab. */
  private static final String INDIRECT = "/svc => /#/io.l5d.fs;\n/srv => /#/io.l5d.fs;\n/svc/users => /srv/users;\n";

  @RegisterExtension final PerTest<RolloutRig> rig = PerTest.of(RolloutRig::new);
  private java.nio.file.Path disco;
  private FsNamer fs;
  private Interpreter interpreter;

  @BeforeEach
  void namers() throws IOException {
    RolloutRig t = rig.get();
    disco = Files.createDirectories(t.dir.resolve("disco"));
    Files.writeString(disco.resolve("users"), "127.0.0.1 8080\n");
    Files.writeString(disco.resolve("users-v2"), "127.0.0.1 8082\n");
    fs = new FsNamer(disco, FsNamer.DEFAULT_PREFIX, Duration.ofMillis(20));
    interpreter = new Interpreter(List.of(new Interpreter.Mount(FsNamer.DEFAULT_PREFIX, fs)));
    t.resolveBy(Destinations.of(new InterpreterPreview(interpreter)));
  }

  @AfterEach
  void closeNamer() {
    fs.close();
  }

  private void dtab(String text) {
    RolloutRig t = rig.get();
    t.store.update(NS, DtabText.read(text), Optional.empty(), "alice", "routes for the test");
  }

  private static RolloutSpec spec(String canary, List<Integer> steps) {
    return new RolloutSpec("/svc/users", canary, steps, 60, 0.99, 500, 0, 100, 0);
  }

  @Test
  void indirectCanaryPassesOnItsBoundIdsFigures() {
    RolloutRig t = rig.get();
    dtab(INDIRECT);
    t.traffic(USERS_V2, 50, 0, 80);

    Rollout r = t.driver.start(NS, spec("/srv/users-v2", List.of(5, 100)));
    t.runUntil(r.id(), x -> !x.state().active(), 50);

    Rollout done = t.driver.get(NS, r.id());
    assertThat(done.state()).isEqualTo(Rollout.State.SUCCEEDED);
    assertThat(done.stable()).isEqualTo("/srv/users");
    assertThat(done.steps()).extracting(s -> s.window().requests()).containsExactly(300L, 300L);
    assertThat(t.dtab()).contains("/svc/users => /srv/users-v2;");
    // the screen's live figures are the same resolved ids' figures
    assertThat(t.driver.figures().of(NS, "/svc/users", "/srv/users-v2").orElseThrow().requests()).isEqualTo(50);
  }

  @Test
  void indirectCanaryFailsOnItsBoundIdsFigures() {
    RolloutRig t = rig.get();
    dtab(INDIRECT);
    t.traffic(USERS_V2, 40, 4, 80);
    t.traffic(USERS, 800, 0, 80);

    Rollout r = t.driver.start(NS, spec("/srv/users-v2", List.of(5, 20, 50, 100)));
    t.runUntil(r.id(), x -> !x.state().active(), 50);

    Rollout back = t.driver.get(NS, r.id());
    assertThat(back.state()).isEqualTo(Rollout.State.ROLLED_BACK);
    assertThat(back.reason()).isEqualTo("success rate 90% < 99% over 240 requests at step 1, 5%");
    assertThat(back.steps().get(0).window().stableRequests()).isEqualTo(4800);
    assertThat(t.dtab()).isEqualTo(INDIRECT);
  }

  @Test
  void altCanaryIsJudgedOnTheMemberThatTakesItsTraffic() throws IOException {
    RolloutRig t = rig.get();
    // users-v3 has no file yet: the Alt's traffic goes to users-v2, whose figures are bad
    dtab(INDIRECT + "/srv/next => /#/io.l5d.fs/users-v3 | /#/io.l5d.fs/users-v2;\n");
    t.traffic(USERS_V2, 40, 4, 80);
    t.traffic("/#/io.l5d.fs/users-v3", 50, 0, 80);

    Rollout bad = t.driver.start(NS, spec("/srv/next", List.of(50, 100)));
    t.runUntil(bad.id(), x -> !x.state().active(), 50);
    assertThat(t.driver.get(NS, bad.id()).reason()).isEqualTo("success rate 90% < 99% over 240 requests at step 1, 50%");

    // with users-v3 there, it is the Alt's first member and takes the traffic, and its figures are good
    Files.writeString(disco.resolve("users-v3"), "127.0.0.1 8083\n");
    awaitBound("/#/io.l5d.fs/users-v3");
    Rollout good = t.driver.start(NS, spec("/srv/next", List.of(50, 100)));
    t.runUntil(good.id(), x -> !x.state().active(), 50);
    assertThat(t.driver.get(NS, good.id()).state()).isEqualTo(Rollout.State.SUCCEEDED);
  }

  @Test
  void altStableGivesTheRelativeGuardrailItsFigures() {
    RolloutRig t = rig.get();
    dtab("/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users-v1 | " + USERS + ";\n");
    t.traffic(USERS_V2, 50, 0, 300);
    t.traffic(USERS, 500, 0, 100);

    Rollout r = t.driver.start(NS,
        new RolloutSpec("/svc/users", USERS_V2, List.of(10, 100), 30, 0.99, 500, 2.0, 100, 0));
    t.runUntil(r.id(), x -> !x.state().active(), 50);

    assertThat(t.driver.get(NS, r.id()).reason())
        .isEqualTo("p99 301 ms > 2.0 x the stable's 100 ms over 150 requests at step 1, 10%");
  }

  @Test
  void stableWithTheCanaryAsAZeroBranchIsJudgedApartFromIt() {
    RolloutRig t = rig.get();
    // as "Create canary" leaves a dentry, and the start form then proposes its last branch as the canary
    dtab("/svc => /#/io.l5d.fs;\n/svc/users => 100 * " + USERS + " & 0 * " + USERS_V2 + ";\n");
    t.traffic(USERS_V2, 40, 4, 80);
    t.traffic(USERS, 800, 0, 80);

    Rollout r = t.driver.start(NS, spec(USERS_V2, List.of(50, 100)));
    t.runUntil(r.id(), x -> !x.state().active(), 50);

    Rollout back = t.driver.get(NS, r.id());
    assertThat(back.reason()).isEqualTo("success rate 90% < 99% over 240 requests at step 1, 50%");
    assertThat(back.steps().get(0).window().stableRequests()).isEqualTo(4800);
    // the stable as the driver keeps it, in the canonical form of the dentry's destination
    assertThat(t.dtab()).contains("/svc/users => 100.00*" + USERS + " & 0.00*" + USERS_V2 + ";");
  }

  @Test
  void canaryThatRoutesNowhereIsRefusedAtTheStartWritingNothing() {
    RolloutRig t = rig.get();
    dtab(INDIRECT);

    assertThatThrownBy(() -> t.driver.start(NS, spec("/srv/users-v9", List.of(5, 100))))
        .isInstanceOfSatisfying(RolloutDriver.Refused.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessage("the canary /srv/users-v9 routes to no destination in 'default' (version 2): nothing binds it;"
            + " its figures could not be found");
    assertThatThrownBy(() -> t.driver.start(NS, spec("/#/io.l5d.fs/users-v9", List.of(5, 100))))
        .isInstanceOfSatisfying(RolloutDriver.Refused.class, e -> assertThat(e.status()).isEqualTo(400));
    assertThat(t.driver.list(NS)).isEmpty();
    assertThat(t.store.current(NS).orElseThrow().version()).isEqualTo(2);
  }

  @Test
  void canaryThatReachesOnlyTheStablesDestinationIsRefused() {
    RolloutRig t = rig.get();
    dtab(INDIRECT);

    assertThatThrownBy(() -> t.driver.start(NS, spec(USERS, List.of(5, 100))))
        .isInstanceOfSatisfying(RolloutDriver.Refused.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("reaches only the stable's " + USERS);
    assertThat(t.driver.list(NS)).isEmpty();
  }

  @Test
  void canaryThatStopsBindingPausesTheStepWithTheReason() throws IOException {
    RolloutRig t = rig.get();
    dtab(INDIRECT);
    t.traffic(USERS_V2, 50, 0, 80);
    Rollout r = t.driver.start(NS, spec("/srv/users-v2", List.of(5, 100)));
    t.driver.tick(); // converged: the window opens

    Files.delete(disco.resolve("users-v2"));
    awaitBound(null);
    Rollout paused = t.driver.get(NS, r.id());
    for (int i = 0; i < 3 && paused.state() == Rollout.State.RUNNING; i++) {
      t.clock.advance(Duration.ofSeconds(10));
      t.driver.tick();
      paused = t.driver.get(NS, r.id());
    }

    assertThat(paused.state()).isEqualTo(Rollout.State.PAUSED);
    assertThat(paused.reason())
        .isEqualTo("the canary /srv/users-v2 routes to no destination under version 3: nothing binds it at step 1, 5%");
    assertThat(t.store.current(NS).orElseThrow().version()).isEqualTo(3);
  }

  /** Waits for the fs namer to see its directory as it is: {@code id} bound, or users-v2 gone when null. */
  private void awaitBound(String id) {
    Await.until("the fs namer sees the change", Duration.ofSeconds(20), () -> {
      Path name = Path.read(id == null ? USERS_V2 : id);
      DelegateTree tree = interpreter.delegate(Dtab.EMPTY, name);
      boolean bound = tree instanceof DelegateTree.Leaf;
      return id == null ? !bound : bound;
    });
  }
}
