package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several stores on one PostgreSQL database, as several control planes run: each hears the others'
 * commits, and If-Match stays exact across them. The feed's poll is set to a minute, so only
 * PostgreSQL's notifications can deliver a change within these tests' deadlines.
 */
class SharedStoreTest {
  private final List<JdbcDtabStore> stores = new ArrayList<>();
  private String url;

  @BeforeEach
  void newDatabase() {
    url = PostgresServer.shared().newDatabase();
  }

  @AfterEach
  void closeStores() {
    stores.forEach(JdbcDtabStore::close);
  }

  private JdbcDtabStore open() {
    JdbcDtabStore s =
        JdbcDtabStore.builder(url)
            .user(PostgresServer.USER)
            .password(PostgresServer.PASSWORD)
            .passwordIterations(1)
            .feedPoll(Duration.ofMinutes(1))
            .open();
    stores.add(s);
    return s;
  }

  @Test
  void aCommitOnOneStoreIsHeardByAnotherThroughNotify() {
    JdbcDtabStore a = open();
    JdbcDtabStore b = open();
    List<StoreEvent> heardByB = new CopyOnWriteArrayList<>();
    b.subscribe(heardByB::add);

    DtabVersion v1 = a.create("default", "/svc => /$/inet/127.0.0.1/1;", "alice", "first");

    await(() -> heardByB.size() == 1, Duration.ofSeconds(10));
    assertThat(heardByB.get(0).version()).isEqualTo(v1);
    assertThat(heardByB.get(0).kind()).isEqualTo(StoreEvent.Kind.CREATED);
    assertThat(b.current("default")).contains(v1);
  }

  @Test
  void anotherStoreHearsEveryVersionOnceAndInOrder() {
    JdbcDtabStore a = open();
    JdbcDtabStore b = open();
    List<Long> heardByB = new CopyOnWriteArrayList<>();
    b.subscribe(e -> heardByB.add(e.version().version()));

    a.create("default", "/svc => /a1;", "alice", "");
    for (int i = 2; i <= 20; i++) {
      a.update("default", "/svc => /a" + i + ";", Optional.empty(), "alice", "");
    }
    a.delete("default", Optional.empty(), "alice", "gone");

    await(() -> heardByB.size() >= 21, Duration.ofSeconds(10));
    assertThat(heardByB).containsExactlyElementsOf(range(1, 21));
    assertThat(b.current("default")).isEmpty();
  }

  @Test
  void writesInterleavedOnTwoStoresAreHeardByBothInVersionOrder() {
    JdbcDtabStore a = open();
    JdbcDtabStore b = open();
    List<Long> heardByA = new CopyOnWriteArrayList<>();
    List<Long> heardByB = new CopyOnWriteArrayList<>();
    a.subscribe(e -> heardByA.add(e.version().version()));
    b.subscribe(e -> heardByB.add(e.version().version()));

    a.create("default", "/svc => /x;", "alice", "");
    for (int i = 2; i <= 10; i++) {
      (i % 2 == 0 ? b : a).update("default", "/svc => /x" + i + ";", Optional.empty(), "bob", "");
    }

    await(() -> heardByA.size() >= 10 && heardByB.size() >= 10, Duration.ofSeconds(10));
    assertThat(heardByA).containsExactlyElementsOf(range(1, 10));
    assertThat(heardByB).containsExactlyElementsOf(range(1, 10));
  }

  @Test
  void racingWritersOnSeveralStoresWithTheSameEtagExactlyOneWins() throws Exception {
    List<JdbcDtabStore> planes = List.of(open(), open(), open(), open());
    String etag = planes.get(0).create("default", "/svc => /v0;", "alice", "").etag();
    ExecutorService pool = Executors.newFixedThreadPool(planes.size());
    try {
      for (int round = 1; round <= 10; round++) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Optional<DtabVersion>>> tries = new ArrayList<>();
        for (int i = 0; i < planes.size(); i++) {
          JdbcDtabStore plane = planes.get(i);
          String text = "/svc => /r" + round + "p" + i + ";";
          String expected = etag;
          tries.add(pool.submit(() -> {
            go.await();
            try {
              return Optional.of(plane.update("default", text, Optional.of(expected), "racer", ""));
            } catch (StoreException.Conflict lost) {
              return Optional.empty();
            }
          }));
        }
        go.countDown();
        List<DtabVersion> winners = new ArrayList<>();
        for (Future<Optional<DtabVersion>> t : tries) {
          t.get(30, TimeUnit.SECONDS).ifPresent(winners::add);
        }

        assertThat(winners).as("round %d", round).hasSize(1);
        assertThat(winners.get(0).version()).isEqualTo(round + 1);
        etag = winners.get(0).etag();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(planes.get(3).versions("default")).hasSize(11);
  }

  @Test
  void creatingTheSameNamespaceOnTwoStoresLeavesOneVersionAndOneRefusal() {
    JdbcDtabStore a = open();
    JdbcDtabStore b = open();

    a.create("default", "/svc => /a;", "alice", "");

    assertThatThrownBy(() -> b.create("default", "/svc => /b;", "bob", ""))
        .isInstanceOf(StoreException.AlreadyExists.class);
    assertThat(b.versions("default")).hasSize(1);
  }

  @Test
  void aUserAddedThroughOneStoreSignsInThroughAnother() {
    JdbcDtabStore a = open();
    JdbcDtabStore b = open();

    a.userStore().put("ops", Role.OPERATOR, "first".toCharArray());
    b.userStore().put("ops", Role.VIEWER, "second".toCharArray());

    assertThat(a.userStore().authenticate("ops", "first")).isEmpty();
    assertThat(a.userStore().authenticate("ops", "second")).get().extracting(User::role).isEqualTo(Role.VIEWER);
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }

  static void await(BooleanSupplier condition, Duration within) {
    Await.until(within, condition);
  }
}
