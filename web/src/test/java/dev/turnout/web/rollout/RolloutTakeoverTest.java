package dev.turnout.web.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.PostgresServer;
import dev.turnout.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two control planes on one real PostgreSQL: one drives, and the other takes over when it dies. */
class RolloutTakeoverTest {
  private String url;
  private JdbcDtabStore storeA;
  private JdbcDtabStore storeB;
  private AutoCloseable tickingA;
  private AutoCloseable tickingB;

  @BeforeEach
  void start() {
    url = PostgresServer.shared().newDatabase();
    storeA = open();
    storeB = open();
  }

  private JdbcDtabStore open() {
    return JdbcDtabStore.builder(url).user(PostgresServer.USER).password(PostgresServer.PASSWORD)
        .passwordIterations(2).open();
  }

  private static RolloutDriver driver(JdbcDtabStore store, String self) {
    return new RolloutDriver(store, store.rollouts(), (ns, s, d) -> Optional.empty(),
        (ns, v) -> new Convergence.Seen(true, List.of(), List.of()), Clock.systemUTC(), self);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {tickingA, tickingB, storeA, storeB}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void secondControlPlaneTakesOverWithinTenSecondsOfTheDriversDeath() throws Exception {
    storeA.create(RolloutRig.NS, RolloutRig.DTAB, "alice", "first");
    RolloutDriver a = driver(storeA, "a");
    RolloutDriver b = driver(storeB, "b");
    Rollout r = a.start(RolloutRig.NS, RolloutRig.spec(List.of(5, 100)));
    tickingA = a.startTicking(Duration.ofMillis(500));
    Await.until("a drives", Duration.ofSeconds(10), a::driving);
    tickingB = b.startTicking(Duration.ofMillis(500));
    Await.until("b has ticked", Duration.ofSeconds(10), () -> b.get(RolloutRig.NS, r.id()).phase().equals("observing"));
    assertThat(b.driving()).isFalse();

    tickingA.close();
    storeA.close();
    tickingA = null;
    storeA = null;
    long died = System.nanoTime();
    Await.until("b takes over", Duration.ofSeconds(10), b::driving);
    long tookOverMillis = (System.nanoTime() - died) / 1_000_000;

    assertThat(tookOverMillis).isLessThan(10_000);
    storeB.update(RolloutRig.NS, storeB.current(RolloutRig.NS).orElseThrow().text() + "/x => /y;\n",
        Optional.empty(), "bob", "a person's change");
    Await.until("b pauses on the person's commit", Duration.ofSeconds(10),
        () -> b.get(RolloutRig.NS, r.id()).state() == Rollout.State.PAUSED);
    assertThat(b.get(RolloutRig.NS, r.id()).reason()).startsWith("a person's commit (version 3 by bob)");
    System.out.println("rollout takeover after " + tookOverMillis + " ms");
  }
}
