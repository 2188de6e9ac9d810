package dev.turnout.web.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.JdbcDtabStore;
import dev.turnout.web.fleet.Fleet;
import dev.turnout.web.fleet.FleetReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Convergence as a rollout reads it from a real fleet over a real store. */
class ConvergenceTest {
  @TempDir Path dir;
  private final RolloutRig.FakeClock clock = new RolloutRig.FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
  private JdbcDtabStore store;
  private Fleet fleet;
  private Convergence convergence;

  @BeforeEach
  void open() {
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).clock(clock).passwordIterations(1).open();
    fleet = new Fleet(store.fleet(), store, clock, () -> "127.0.0.1:9990");
    convergence = Convergence.of(fleet::state);
    store.create("default", "/svc => /a;", "ops", "");
    store.update("default", "/svc => /b;", Optional.empty(), "ops", "");
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void report(String instance, long version) {
    fleet.accept(new FleetReport(instance, FleetReport.PROXY, instance, 0, 0,
        List.of(new FleetReport.RouterReport("http", "default", version, "127.0.0.1:9990", 0, null)), List.of()));
  }

  @Test
  void liveMemberBehindTheStepsVersionHoldsConvergenceAndIsNamed() {
    report("p1", 2);
    report("p2", 1);

    Convergence.Seen seen = convergence.on("default", 2);

    assertThat(seen.converged()).isFalse();
    assertThat(seen.waitingFor()).containsExactly("p2 (http on v1)");
  }

  @Test
  void staleMemberBehindDoesNotHoldConvergenceButIsNamed() {
    report("p3", 1);
    clock.advance(Fleet.STALE.plus(Duration.ofSeconds(1)));
    report("p1", 2);

    Convergence.Seen seen = convergence.on("default", 2);

    assertThat(seen.converged()).isTrue();
    assertThat(seen.stale()).containsExactly("p3");
  }

  @Test
  void namespaceNoProxyFollowsIsConvergedAtOnce() {
    assertThat(convergence.on("default", 2).converged()).isTrue();
  }
}
