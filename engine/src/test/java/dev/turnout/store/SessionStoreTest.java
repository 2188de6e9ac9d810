package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions in the shared database, seen by two control planes: two stores opened on the same database,
 * each with its own connection pool and cache, as two Turnout processes on one database would be. Run
 * on H2 ({@link H2SessionStoreTest}) and on PostgreSQL ({@link PostgresSessionStoreTest}).
 */
abstract class SessionStoreTest {
  @TempDir Path dir;
  private String url;

  /** A new, empty database for one test. */
  abstract String newDatabase(Path dir);

  private JdbcDtabStore openStore() {
    boolean pg = url.startsWith("jdbc:postgresql:");
    return JdbcDtabStore.builder(url)
        .user(pg ? PostgresServer.USER : null)
        .password(pg ? PostgresServer.PASSWORD : null)
        .clock(clock)
        .passwordIterations(10)
        .open();
  }

  private java.sql.Connection connect() throws java.sql.SQLException {
    return url.startsWith("jdbc:postgresql:")
        ? DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD)
        : DriverManager.getConnection(url, "sa", "");
  }
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private JdbcDtabStore east;
  private JdbcDtabStore west;
  private final User ops = new User("ops", Role.OPERATOR);

  @BeforeEach
  void open() {
    url = newDatabase(dir);
    east = openStore();
    west = openStore();
    east.userStore().put("ops", Role.OPERATOR, "pw-ops".toCharArray());
  }

  @AfterEach
  void close() {
    east.close();
    west.close();
  }

  /**
   * A sign-in whose password check was under way when the password was reset (here, on the other
   * control plane) gets no session: the check's stored hash is no longer the user's.
   */
  @Test
  void aSignInCheckedBeforeAPasswordChangeStartsNoSession() {
    LoginOutcome.Accepted checked = (LoginOutcome.Accepted) east.userStore().login("192.0.2.1", "ops", "pw-ops");

    west.userStore().put("ops", Role.OPERATOR, "pw-new".toCharArray());

    assertThat(east.userStore().sessions().start(checked)).isEmpty();
    LoginOutcome.Accepted again = (LoginOutcome.Accepted) east.userStore().login("192.0.2.1", "ops", "pw-new");
    assertThat(east.userStore().sessions().start(again)).hasValueSatisfying(
        started -> assertThat(west.userStore().sessions().find(started.secret())).contains(started));
  }

  /** A sign-in that rehashed a weaker stored hash starts its session on the new hash. */
  @Test
  void aSignInThatRehashedStartsASession() {
    JdbcDtabStore stronger = JdbcDtabStore.builder(url)
        .user(url.startsWith("jdbc:postgresql:") ? PostgresServer.USER : null)
        .password(url.startsWith("jdbc:postgresql:") ? PostgresServer.PASSWORD : null)
        .clock(clock)
        .passwordIterations(20)
        .open();
    try {
      LoginOutcome.Accepted checked = (LoginOutcome.Accepted) stronger.userStore().login("192.0.2.1", "ops", "pw-ops");

      assertThat(stronger.userStore().sessions().start(checked)).isPresent();
    } finally {
      stronger.close();
    }
  }

  @Test
  void aSessionStartedOnOneControlPlaneIsFoundOnAnother() {
    SignedInSession s = east.userStore().sessions().start(ops);

    assertThat(west.userStore().sessions().find(s.secret())).contains(s);
  }

  @Test
  void signingOutOnOneControlPlaneEndsTheSessionOnAnotherWithinTheCacheTime() {
    SignedInSession s = east.userStore().sessions().start(ops);
    assertThat(west.userStore().sessions().find(s.secret())).isPresent();

    east.userStore().sessions().end(s.secret());
    clock.advance(JdbcSessionStore.CACHE_FOR);

    assertThat(east.userStore().sessions().find(s.secret())).isEmpty();
    assertThat(west.userStore().sessions().find(s.secret())).isEmpty();
  }

  /** As a dashboard polling every second does: use keeps a session alive, not its cache entry. */
  @Test
  void aSessionInConstantUseOnAnotherControlPlaneStillEndsThereWithinTheCacheTime() {
    SignedInSession s = east.userStore().sessions().start(ops);
    java.time.Duration step = JdbcSessionStore.CACHE_FOR.dividedBy(4);
    for (int i = 0; i < 8; i++) {
      assertThat(west.userStore().sessions().find(s.secret())).isPresent();
      clock.advance(step);
    }

    east.userStore().sessions().end(s.secret());
    for (int i = 0; i < 4; i++) {
      west.userStore().sessions().find(s.secret());
      clock.advance(step);
    }

    assertThat(west.userStore().sessions().find(s.secret())).isEmpty();
  }

  @Test
  void onlyAHashOfTheSecretIsStored() throws Exception {
    SignedInSession s = east.userStore().sessions().start(ops);

    try (var c = connect();
        var rs = c.createStatement().executeQuery("SELECT secret_sha256 FROM signed_in_session")) {
      rs.next();
      assertThat(rs.getString(1)).isNotEqualTo(s.secret()).isEqualTo(JdbcSessionStore.sha256(s.secret()));
    }
  }

  @Test
  void aSessionUnusedForTheIdleTimeEnds() {
    SignedInSession s = east.userStore().sessions().start(ops);
    clock.advance(JdbcSessionStore.IDLE.minusMinutes(1));
    assertThat(west.userStore().sessions().find(s.secret())).isPresent();

    clock.advance(JdbcSessionStore.IDLE.minusMinutes(1));
    assertThat(east.userStore().sessions().find(s.secret())).isPresent();

    clock.advance(JdbcSessionStore.IDLE);
    assertThat(west.userStore().sessions().find(s.secret())).isEmpty();
  }

  @Test
  void aSessionInUseStillEndsAtItsMaximumAge() {
    SignedInSession s = east.userStore().sessions().start(ops);
    for (Duration used = Duration.ZERO; used.compareTo(JdbcSessionStore.MAX_AGE) < 0; used = used.plusHours(6)) {
      assertThat(east.userStore().sessions().find(s.secret())).as("after %s", used).isPresent();
      clock.advance(Duration.ofHours(6));
    }

    assertThat(east.userStore().sessions().find(s.secret())).isEmpty();
  }

  @Test
  void changingAUsersPasswordEndsTheirSessionsEverywhere() {
    SignedInSession s = east.userStore().sessions().start(ops);
    assertThat(west.userStore().sessions().find(s.secret())).isPresent();

    east.userStore().put("ops", Role.VIEWER, "new-password".toCharArray());
    clock.advance(JdbcSessionStore.CACHE_FOR);

    assertThat(west.userStore().sessions().find(s.secret())).isEmpty();
  }

  @Test
  void anUnknownOrMangledSecretFindsNothing() {
    east.userStore().sessions().start(ops);

    assertThat(east.userStore().sessions().find("not-a-session")).isEmpty();
    assertThat(east.userStore().sessions().find("")).isEmpty();
    assertThat(east.userStore().sessions().find("x".repeat(10_000))).isEmpty();
  }

  @Test
  void aSignOutRacingRequestsInFlightLeavesNoSession() throws Exception {
    SessionStore sessions = east.userStore().sessions();
    for (int round = 0; round < 20; round++) {
      SignedInSession s = sessions.start(ops);
      // every find past TOUCH_EVERY writes last_seen: the old code's get-then-put window
      clock.advance(JdbcSessionStore.TOUCH_EVERY.multipliedBy(2));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch started = new CountDownLatch(4);
      List<CompletableFuture<Void>> requests = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        requests.add(
            CompletableFuture.runAsync(
                () -> {
                  started.countDown();
                  while (!stop.get()) {
                    sessions.find(s.secret());
                    clock.advance(JdbcSessionStore.TOUCH_EVERY);
                  }
                },
                pool));
      }
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      sessions.end(s.secret());
      stop.set(true);
      CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      pool.shutdown();

      assertThat(sessions.find(s.secret())).as("round %d", round).isEmpty();
      assertThat(west.userStore().sessions().find(s.secret())).as("round %d", round).isEmpty();
    }
    try (var c = connect();
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM signed_in_session")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
  }
}
