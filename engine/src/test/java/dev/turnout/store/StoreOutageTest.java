package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared database going away and coming back, with a real PostgreSQL server stopped and started:
 * reads of current dtabs answer from the last versions seen, writes are refused as unavailable, and
 * both stores work again, and hear each other again, with no restart.
 */
class StoreOutageTest {
  private PostgresServer postgres;
  private JdbcDtabStore a;
  private JdbcDtabStore b;

  @BeforeEach
  void start() {
    postgres = PostgresServer.start();
    String url = postgres.newDatabase();
    a = open(url);
    b = open(url);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    postgres.close();
  }

  private static JdbcDtabStore open(String url) {
    return JdbcDtabStore.builder(url)
        .user(PostgresServer.USER)
        .password(PostgresServer.PASSWORD)
        .passwordIterations(1)
        .feedPoll(Duration.ofMillis(200))
        .open();
  }

  @Test
  void readsAnswerFromLastKnownWritesAreUnavailableAndAllRecoversWithoutRestart() {
    DtabVersion v1 = a.create("default", "/svc => /$/inet/127.0.0.1/1;", "alice", "");
    SharedStoreTest.await(() -> b.current("default").isPresent(), Duration.ofSeconds(10));
    List<Long> heardByB = new CopyOnWriteArrayList<>();
    b.subscribe(e -> heardByB.add(e.version().version()));

    postgres.stopServer();

    assertThat(a.current("default")).contains(v1);
    assertThat(b.current("default")).contains(v1);
    assertThat(a.namespaces()).containsExactly("default");
    assertThatThrownBy(() -> a.update("default", "/svc => /x;", Optional.of(v1.etag()), "alice", ""))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("not answering");
    assertThatThrownBy(() -> a.versions("default")).isInstanceOf(StoreException.Unavailable.class);

    postgres.startServer();

    SharedStoreTest.await(() -> writes(a, v1.etag()), Duration.ofSeconds(20));
    assertThat(a.current("default").orElseThrow().version()).isEqualTo(2);
    SharedStoreTest.await(() -> heardByB.contains(2L), Duration.ofSeconds(20));
    assertThat(b.current("default").orElseThrow().text()).isEqualTo("/svc => /after;");
  }

  /** Tries the write the outage refused; true once the database takes it. */
  private static boolean writes(JdbcDtabStore store, String etag) {
    try {
      store.update("default", "/svc => /after;", Optional.of(etag), "alice", "after the outage");
      return true;
    } catch (StoreException.Unavailable stillAway) {
      return false;
    }
  }

  @Test
  void aSessionSeenBeforeTheOutageStillSignsInWhileOneNeverSeenIsUnavailable() {
    a.userStore().put("ops", Role.OPERATOR, "pw".toCharArray());
    SignedInSession seen = a.userStore().sessions().start(new User("ops", Role.OPERATOR));
    SignedInSession unseen = b.userStore().sessions().start(new User("ops", Role.OPERATOR));
    assertThat(a.userStore().sessions().find(seen.secret())).isPresent();

    postgres.stopServer();

    assertThat(a.userStore().sessions().find(seen.secret())).contains(seen);
    assertThatThrownBy(() -> a.userStore().sessions().find(unseen.secret()))
        .isInstanceOf(StoreException.Unavailable.class);
  }

  @Test
  void aSessionEndedByAPasswordChangeIsNotTrustedWhileTheDatabaseIsAway() {
    a.userStore().put("ops", Role.OPERATOR, "pw".toCharArray());
    a.userStore().put("viewer", Role.VIEWER, "pw".toCharArray());
    SignedInSession ops = a.userStore().sessions().start(new User("ops", Role.OPERATOR));
    SignedInSession other = a.userStore().sessions().start(new User("viewer", Role.VIEWER));
    assertThat(a.userStore().sessions().find(ops.secret())).isPresent();
    assertThat(a.userStore().sessions().find(other.secret())).isPresent();

    a.userStore().put("ops", Role.VIEWER, "new".toCharArray()); // reset and demoted: ops's sessions end
    postgres.stopServer();

    // not trusted: answered as a session never seen is, the database being needed to say more
    assertThatThrownBy(() -> a.userStore().sessions().find(ops.secret()))
        .isInstanceOf(StoreException.Unavailable.class);
    assertThat(a.userStore().sessions().find(other.secret())).contains(other);
  }
}
