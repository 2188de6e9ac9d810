package dev.turnout.web.rollout;

import static dev.turnout.web.rollout.RolloutRig.CANARY;
import static dev.turnout.web.rollout.RolloutRig.NS;
import static dev.turnout.web.rollout.RolloutRig.STABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.store.DtabVersion;
import dev.turnout.testing.PerTest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RolloutDriverTest {
  @RegisterExtension final PerTest<RolloutRig> rig = PerTest.of(RolloutRig::new);

  @Test
  void goodCanaryStepsToHundredChangingOnlyItsDentry() {
    RolloutRig t = rig.get();
    t.traffic(CANARY, 50, 0, 80);

    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 20, 50, 100)));
    int ticks = t.runUntil(r.id(), x -> x.state() == Rollout.State.SUCCEEDED, 200);

    Rollout done = t.driver.get(NS, r.id());
    assertThat(done.weight()).isEqualTo(100);
    assertThat(done.versions()).containsExactly(2L, 3L, 4L, 5L);
    assertThat(done.steps()).extracting(Rollout.StepRecord::verdict).containsOnly("passed");
    assertThat(t.store.version(NS, 2).orElseThrow().text())
        .isEqualTo("# routes\n/svc => /#/io.l5d.fs;\n/svc/users => 95 * " + STABLE + " & 5 * " + CANARY + "; # users\n");
    assertThat(t.store.version(NS, 2).orElseThrow().comment()).contains("step 1 of 4", "5%");
    assertThat(t.dtab()).isEqualTo("# routes\n/svc => /#/io.l5d.fs;\n/svc/users => " + CANARY + "; # users\n");
    assertThat(t.authors()).containsExactly("alice", "rollout 1", "rollout 1", "rollout 1", "rollout 1");
    // each step: one tick converges, then 60 s of 10 s samples
    assertThat(ticks).isBetween(4 * 6, 4 * 8);
  }

  @Test
  void failingCanaryIsRolledBackWithTheReasonInRolloutAndCommit() {
    RolloutRig t = rig.get();
    t.traffic(CANARY, 50, 0, 80);
    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 20, 50, 100)));
    t.runUntil(r.id(), x -> x.step() == 1, 50);
    t.traffic(CANARY, 40, 4, 80);

    t.runUntil(r.id(), x -> !x.state().active(), 50);

    Rollout back = t.driver.get(NS, r.id());
    assertThat(back.state()).isEqualTo(Rollout.State.ROLLED_BACK);
    assertThat(back.reason()).isEqualTo("success rate 90% < 99% over 240 requests at step 2, 20%");
    assertThat(t.dtab()).isEqualTo(RolloutRig.DTAB);
    DtabVersion last = t.store.current(NS).orElseThrow();
    assertThat(last.author()).isEqualTo("rollout " + r.id());
    assertThat(last.comment()).contains("rolled back: success rate 90% < 99% over 240 requests at step 2, 20%");
    assertThat(back.steps()).extracting(Rollout.StepRecord::verdict)
        .containsExactly("passed", "success rate 90% < 99% over 240 requests at step 2, 20%");
  }

  @Test
  void slowCanaryIsRolledBackOnItsP99() {
    RolloutRig t = rig.get();
    t.traffic(CANARY, 50, 0, 812);

    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(50, 100)));
    t.runUntil(r.id(), x -> !x.state().active(), 50);

    // 815, not 812: the fleet's latency histograms keep two significant digits (within 1%)
    assertThat(t.driver.get(NS, r.id()).reason()).isEqualTo("p99 815 ms > 500 ms over 300 requests at step 1, 50%");
    assertThat(t.dtab()).isEqualTo(RolloutRig.DTAB);
  }

  @Test
  void canaryMuchSlowerThanStableFailsTheRelativeGuardrail() {
    RolloutRig t = rig.get();
    t.traffic(CANARY, 50, 0, 300);
    t.traffic(STABLE, 500, 0, 100);

    Rollout r = t.driver.start(NS,
        new RolloutSpec("/svc/users", CANARY, List.of(10, 100), 30, 0.99, 500, 2.0, 100, 0));
    t.runUntil(r.id(), x -> !x.state().active(), 50);

    assertThat(t.driver.get(NS, r.id()).reason())
        .isEqualTo("p99 301 ms > 2.0 x the stable's 100 ms over 150 requests at step 1, 10%");
  }

  @Test
  void tooLittleTrafficPausesAfterThreeStepDurations() {
    RolloutRig t = rig.get();
    t.traffic(CANARY, 1, 0, 80);

    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 100)));
    int ticks = t.runUntil(r.id(), x -> x.state() == Rollout.State.PAUSED, 50);

    Rollout paused = t.driver.get(NS, r.id());
    assertThat(paused.reason()).isEqualTo("not enough traffic to judge (18 of 100 requests)");
    assertThat(ticks).isBetween(18, 20);
    assertThat(t.store.current(NS).orElseThrow().version()).isEqualTo(2);
  }

  @Test
  void stepsP99IsThatOfAllItsRequestsNotTheHighestSamplesP99() {
    RolloutRig t = rig.get();
    Rollout r = t.driver.start(NS, new RolloutSpec("/svc/users", CANARY, List.of(50, 100), 20, 0.99, 500, 0, 100, 0));
    t.driver.tick(); // converged: the window opens
    t.latencies(CANARY, 0, 1000, 10_000); // 1,000 requests of 10 ms
    t.clock.advance(Duration.ofSeconds(10));
    t.driver.tick();
    t.latencies(CANARY, 0, 5, 900_000); // 5 of 900 ms: this sample's own p99 is 900 ms, over the guardrail
    t.clock.advance(Duration.ofSeconds(10));

    t.driver.tick();

    Rollout judged = t.driver.get(NS, r.id());
    Rollout.StepRecord first = judged.steps().get(0);
    assertThat(first.verdict()).isEqualTo("passed");
    assertThat(first.window().requests()).isEqualTo(1005);
    assertThat(first.window().p99Ms()).isBetween(10.0, 10.1);
    assertThat(judged.weight()).isEqualTo(100);
  }

  @Test
  void canaryWithEveryEndpointEjectedFailsThoughTooFewRequestsReachedIt() {
    RolloutRig t = rig.get();
    t.ejected(CANARY, 3, 3, 2);
    t.traffic(STABLE, 600, 0, 20);

    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(50, 100)));
    int ticks = t.runUntil(r.id(), x -> !x.state().active(), 50);

    Rollout back = t.driver.get(NS, r.id());
    assertThat(back.state()).isEqualTo(Rollout.State.ROLLED_BACK);
    assertThat(back.reason())
        .isEqualTo("canary " + CANARY + " has no live endpoint: all 2 ejected by failure accrual at step 1, 50%");
    assertThat(ticks).isEqualTo(7); // judged when the step's 60 s are up, not after three step durations
    assertThat(t.dtab()).isEqualTo(RolloutRig.DTAB);
  }

  @Test
  void canaryThatTakesNoneOfItsShareWhileTheStableIsBusyFails() {
    RolloutRig t = rig.get();
    t.traffic(STABLE, 300, 0, 20);

    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(20, 100)));
    t.runUntil(r.id(), x -> !x.state().active(), 50);

    assertThat(t.driver.get(NS, r.id()).reason()).isEqualTo("canary " + CANARY + " took 0 requests while the stable"
        + " took 1800 (its share would be about 450): it has no live endpoint or binds to nothing at step 1, 20%");
  }

  @Test
  void quietServiceIsNotTakenForAFailingCanary() {
    RolloutRig t = rig.get();
    t.traffic(CANARY, 1, 0, 80);
    t.traffic(STABLE, 20, 0, 20);

    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 100)));
    t.runUntil(r.id(), x -> x.state() == Rollout.State.PAUSED, 50);

    assertThat(t.driver.get(NS, r.id()).reason()).isEqualTo("not enough traffic to judge (18 of 100 requests)");
  }

  @Test
  void noConvergenceWithinSixtySecondsPausesNamingWhoIsBehind() {
    RolloutRig t = rig.get();
    t.convergence.set(new Convergence.Seen(false, List.of("p3"), List.of("p2 (http on v1)")));

    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 100)));
    int ticks = t.runUntil(r.id(), x -> x.state() == Rollout.State.PAUSED, 20);

    assertThat(ticks).isEqualTo(7);
    assertThat(t.driver.get(NS, r.id()).reason())
        .isEqualTo("the fleet did not route by version 2 within 60 s; still behind: p2 (http on v1)");
  }

  @Test
  void staleMembersDoNotBlockAndAreNamedInTheStep() {
    RolloutRig t = rig.get();
    t.convergence.set(new Convergence.Seen(true, List.of("p3"), List.of()));
    t.traffic(CANARY, 50, 0, 80);

    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 100)));
    t.runUntil(r.id(), x -> x.step() == 1, 20);

    assertThat(t.driver.get(NS, r.id()).steps().get(0).stale()).containsExactly("p3");
  }

  @Test
  void aPersonsCommitPausesAndResumeKeepsTheirChange() {
    RolloutRig t = rig.get();
    t.traffic(CANARY, 50, 0, 80);
    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 20, 100)));
    String withStep = t.dtab();
    t.store.update(NS, withStep + "/svc/orders => /#/io.l5d.fs/orders;\n", Optional.empty(), "bob", "orders");

    t.driver.tick();

    Rollout paused = t.driver.get(NS, r.id());
    assertThat(paused.state()).isEqualTo(Rollout.State.PAUSED);
    assertThat(paused.reason()).startsWith("a person's commit (version 3 by bob)");
    t.clock.advance(Duration.ofMinutes(10));
    t.driver.tick();
    assertThat(t.store.current(NS).orElseThrow().version()).isEqualTo(3);

    t.driver.resume(NS, r.id(), "bob");
    t.runUntil(r.id(), x -> x.state() == Rollout.State.SUCCEEDED, 100);

    assertThat(t.dtab()).contains("/svc/orders => /#/io.l5d.fs/orders;", "/svc/users => " + CANARY + ";");
  }

  @Test
  void abortRestoresOnlyTheDentryAsItWasBefore() {
    RolloutRig t = rig.get();
    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 100)));
    t.store.update(NS, t.dtab() + "/svc/orders => /#/io.l5d.fs/orders;\n", Optional.empty(), "bob", "orders");

    Rollout aborted = t.driver.abort(NS, r.id(), "carol");

    assertThat(aborted.state()).isEqualTo(Rollout.State.ABORTED);
    assertThat(aborted.reason()).isEqualTo("aborted by carol");
    assertThat(t.dtab()).isEqualTo(RolloutRig.DTAB + "/svc/orders => /#/io.l5d.fs/orders;\n");
  }

  @Test
  void promoteSendsEverythingToTheCanaryAtOnce() {
    RolloutRig t = rig.get();
    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 20, 100)));

    Rollout promoted = t.driver.promote(NS, r.id(), "carol");

    assertThat(promoted.state()).isEqualTo(Rollout.State.SUCCEEDED);
    assertThat(t.dtab()).contains("/svc/users => " + CANARY + ";");
  }

  @Test
  void pausedRolloutDoesNotMoveUntilResumed() {
    RolloutRig t = rig.get();
    t.traffic(CANARY, 50, 0, 80);
    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 100)));

    t.driver.pause(NS, r.id(), "carol");
    for (int i = 0; i < 20; i++) {
      t.clock.advance(Duration.ofSeconds(10));
      t.driver.tick();
    }

    assertThat(t.driver.get(NS, r.id()).step()).isZero();
    t.driver.resume(NS, r.id(), "carol");
    t.runUntil(r.id(), x -> x.state() == Rollout.State.SUCCEEDED, 30);
  }

  @Test
  void manualGateWaitsForAPersonBeforeTheNamedStep() {
    RolloutRig t = rig.get();
    t.traffic(CANARY, 50, 0, 80);
    Rollout r = t.driver.start(NS, new RolloutSpec("/svc/users", CANARY, List.of(5, 50, 100), 60, 0.99, 500, 0, 100, 50));

    t.runUntil(r.id(), x -> x.state() == Rollout.State.PAUSED, 20);

    Rollout gated = t.driver.get(NS, r.id());
    assertThat(gated.weight()).isEqualTo(5);
    assertThat(gated.reason()).startsWith("waiting at the manual gate before step 2, 50%");
    t.driver.resume(NS, r.id(), "carol");
    assertThat(t.driver.get(NS, r.id()).weight()).isEqualTo(50);
    t.runUntil(r.id(), x -> x.state() == Rollout.State.SUCCEEDED, 30);
  }

  @Test
  void aRestartedControlPlaneContinuesWhereTheRolloutStood() {
    RolloutRig t = rig.get();
    t.traffic(CANARY, 50, 0, 80);
    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 20, 100)));
    t.runUntil(r.id(), x -> x.step() == 1, 20);

    t.restart();
    t.runUntil(r.id(), x -> x.state() == Rollout.State.SUCCEEDED, 40);

    assertThat(t.driver.get(NS, r.id()).versions()).containsExactly(2L, 3L, 4L);
  }

  @Test
  void secondRolloutOnTheSamePrefixIsRefusedWhileOneIsActive() {
    RolloutRig t = rig.get();
    t.driver.start(NS, RolloutRig.spec(List.of(5, 100)));

    assertThatThrownBy(() -> t.driver.start(NS, RolloutRig.spec(List.of(5, 100))))
        .isInstanceOf(RolloutDriver.Refused.class)
        .satisfies(e -> assertThat(((RolloutDriver.Refused) e).status()).isEqualTo(409));
    assertThat(t.store.current(NS).orElseThrow().version()).isEqualTo(2);
  }

  @Test
  void onlyTheLeaseHolderDrivesAndAnotherTakesOverWhenItsLeaseRunsOut() {
    RolloutRig t = rig.get();
    RolloutDriver a = new RolloutDriver(t.store, t.store.rollouts(), (ns, s, d) -> Optional.empty(),
        (ns, v) -> t.convergence.get(), t.clock, "a");
    RolloutDriver b = new RolloutDriver(t.store, t.store.rollouts(), (ns, s, d) -> Optional.empty(),
        (ns, v) -> t.convergence.get(), t.clock, "b");
    Rollout r = a.start(NS, RolloutRig.spec(List.of(5, 100)));

    a.tick();
    b.tick();
    assertThat(a.driving()).isTrue();
    assertThat(b.driving()).isFalse();
    assertThat(b.driver()).contains("a");
    t.clock.advance(RolloutDriver.LEASE_TTL.minusSeconds(1));
    b.tick();
    assertThat(b.driving()).isFalse();
    t.clock.advance(Duration.ofSeconds(1));
    assertThat(b.driver()).as("a's lease has run out").isEmpty();
    b.tick();

    assertThat(b.driving()).isTrue();
    assertThat(a.driver()).contains("b");
    assertThat(b.get(NS, r.id()).phase()).isEqualTo("observing");
    a.tick();
    assertThat(a.driving()).isFalse();
  }

  @Test
  void resumeRefusesToOverwriteAPersonsChangeToTheRolloutsOwnDentry() {
    RolloutRig t = rig.get();
    Rollout r = t.driver.start(NS, RolloutRig.spec(List.of(5, 100)));
    String personal = RolloutRig.DTAB.replace(STABLE, "/#/io.l5d.fs/users-hotfix");
    t.store.update(NS, personal, Optional.empty(), "bob", "hotfix");
    t.driver.tick();

    assertThatThrownBy(() -> t.driver.resume(NS, r.id(), "bob"))
        .isInstanceOf(RolloutDriver.Refused.class)
        .hasMessageContaining("a person changed /svc/users itself to /#/io.l5d.fs/users-hotfix");
    assertThat(t.dtab()).isEqualTo(personal);
    assertThat(t.driver.get(NS, r.id()).state()).isEqualTo(Rollout.State.PAUSED);
  }
}
