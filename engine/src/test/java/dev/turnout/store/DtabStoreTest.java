package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.DtabParseException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every database the store runs on must do, run once per database by {@link H2DtabStoreTest} and
 * {@link PostgresDtabStoreTest}: the same SQL, held to the same behaviour.
 */
abstract class DtabStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);
  private JdbcDtabStore store;
  private String url;

  /** A new, empty database for one test. */
  abstract String newDatabase(Path dir);

  @BeforeEach
  void open() {
    url = newDatabase(dir);
    store = reopen();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private JdbcDtabStore reopen() {
    return JdbcDtabStore.builder(url)
        .user(url.startsWith("jdbc:postgresql:") ? PostgresServer.USER : null)
        .password(url.startsWith("jdbc:postgresql:") ? PostgresServer.PASSWORD : null)
        .clock(clock)
        .passwordIterations(1)
        .open();
  }

  @Test
  void createdNamespaceIsVersionOneWithNamerdEtag() {
    DtabVersion v = store.create("default", "/svc => /#/io.l5d.fs;", "alice", "first");

    assertThat(v.version()).isEqualTo(1);
    assertThat(v.etag()).isEqualTo("AAAAAAAAAAE=");
    assertThat(v.author()).isEqualTo("alice");
    assertThat(v.comment()).isEqualTo("first");
    assertThat(v.createdAt()).isEqualTo(T0);
    assertThat(v.dtab()).isEqualTo(Dtab.read("/svc=>/#/io.l5d.fs"));
    assertThat(store.current("default")).contains(v);
  }

  @Test
  void textIsKeptExactlyAsWritten() {
    String text = "# routes\n/svc   =>  /#/io.l5d.fs ;  # fs\r\n";

    store.create("default", text, "alice", null);

    assertThat(store.current("default").orElseThrow().text()).isEqualTo(text);
  }

  @Test
  void namespacesAreSortedAndLeaveOutDeletedOnes() {
    store.create("zeta", "/a=>/b", "alice", "");
    store.create("alpha", "/a=>/b", "alice", "");
    store.create("mid", "/a=>/b", "alice", "");
    store.delete("mid", Optional.empty(), "alice", "");

    assertThat(store.namespaces()).containsExactly("alpha", "zeta");
  }

  @Test
  void createOfExistingNamespaceIsRefused() {
    store.create("default", "/a=>/b", "alice", "");

    assertThatThrownBy(() -> store.create("default", "/a=>/c", "bob", ""))
        .isInstanceOf(StoreException.AlreadyExists.class);
    assertThat(store.versions("default")).hasSize(1);
  }

  @Test
  void dotSegmentsCannotNameANewNamespace() {
    assertThatThrownBy(() -> store.create("..", "/a=>/b", "alice", ""))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("dot segments");
    assertThatThrownBy(() -> store.update(".", "/a=>/b", Optional.empty(), "alice", ""))
        .isInstanceOf(StoreException.Invalid.class);
    assertThatThrownBy(() -> store.seed(Map.of("..", "/a=>/b"))).isInstanceOf(StoreException.Invalid.class);
    assertThat(store.namespaces()).isEmpty();
    assertThat(store.current("..")).as("still a name one may ask about").isEmpty();
  }

  @Test
  void updateWithCurrentEtagCommitsNextVersion() {
    DtabVersion v1 = store.create("default", "/a=>/b", "alice", "");
    clock.advance(Duration.ofMinutes(1));

    DtabVersion v2 = store.update("default", "/a=>/c", Optional.of(v1.etag()), "bob", "move");

    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.etag()).isEqualTo("AAAAAAAAAAI=");
    assertThat(v2.createdAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    assertThat(store.current("default")).contains(v2);
  }

  @Test
  void updateWithStaleEtagConflictsAndWritesNothing() {
    DtabVersion v1 = store.create("default", "/a=>/b", "alice", "");
    store.update("default", "/a=>/c", Optional.of(v1.etag()), "bob", "");

    assertThatThrownBy(() -> store.update("default", "/a=>/d", Optional.of(v1.etag()), "carol", ""))
        .isInstanceOfSatisfying(
            StoreException.Conflict.class, e -> assertThat(e.current().version()).isEqualTo(2));
    assertThat(store.versions("default")).hasSize(2);
  }

  @Test
  void updateWithEtagOfAbsentNamespaceIsNotFound() {
    assertThatThrownBy(
            () -> store.update("nope", "/a=>/b", Optional.of("AAAAAAAAAAE="), "alice", ""))
        .isInstanceOf(StoreException.NotFound.class);
    assertThat(store.versions("nope")).isEmpty();
  }

  @Test
  void updateWithoutEtagCreatesAbsentNamespace() {
    DtabVersion v = store.update("fresh", "/a=>/b", Optional.empty(), "alice", "");

    assertThat(v.version()).isEqualTo(1);
    assertThat(store.namespaces()).containsExactly("fresh");
  }

  @Test
  void deleteIsRecordedAndVersionsContinueAfterRecreate() {
    store.create("default", "/a=>/b", "alice", "");
    DtabVersion deleted = store.delete("default", Optional.empty(), "bob", "gone");

    DtabVersion recreated = store.create("default", "/a=>/c", "carol", "");

    assertThat(deleted.deleted()).isTrue();
    assertThat(deleted.version()).isEqualTo(2);
    assertThat(recreated.version()).isEqualTo(3);
    assertThat(store.versions("default"))
        .extracting(DtabVersion::version, DtabVersion::deleted, DtabVersion::author)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(3L, false, "carol"),
            org.assertj.core.groups.Tuple.tuple(2L, true, "bob"),
            org.assertj.core.groups.Tuple.tuple(1L, false, "alice"));
  }

  @Test
  void deleteOfAbsentNamespaceIsNotFound() {
    assertThatThrownBy(() -> store.delete("nope", Optional.empty(), "alice", ""))
        .isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void deletedNamespaceHasNoCurrentVersion() {
    store.create("default", "/a=>/b", "alice", "");

    store.delete("default", Optional.empty(), "alice", "");

    assertThat(store.current("default")).isEmpty();
  }

  @Test
  void malformedDtabIsInvalidWithLineAndColumnAndParserCause() {
    assertThatThrownBy(() -> store.create("default", "/a => /b;\n/c =< /d", "alice", ""))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("line 2, column")
        .hasCauseInstanceOf(DtabParseException.class);
    assertThat(store.namespaces()).isEmpty();
  }

  @Test
  void badNamespaceNameIsInvalid() {
    assertThatThrownBy(() -> store.create("no/slash", "/a=>/b", "alice", ""))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("namespace");
    assertThatThrownBy(() -> store.current("x".repeat(65)))
        .isInstanceOf(StoreException.Invalid.class);
  }

  /** PostgreSQL's text cannot hold U+0000 and H2's can: refused on both, as a bad request, not a failure. */
  @Test
  void aNulInTheDtabTheCommentOrTheAuthorIsInvalidOnEveryDatabase() {
    assertThatThrownBy(() -> store.create("default", "# a\0b\n/a=>/b;", "alice", ""))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessage("the dtab holds a NUL character (U+0000) at offset 3, which the store cannot keep");
    assertThatThrownBy(() -> store.create("default", "/a=>/b;", "alice", "a\0b"))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageStartingWith("the comment holds a NUL character");
    assertThatThrownBy(() -> store.create("default", "/a=>/b;", "al\0ice", ""))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageStartingWith("the author holds a NUL character");
    assertThat(store.current("default")).isEmpty();
  }

  @Test
  void dtabOverOneMebibyteIsInvalid() {
    String big = "/a=>/b;" + "#".repeat(JdbcDtabStore.MAX_DTAB_BYTES);

    assertThatThrownBy(() -> store.create("default", big, "alice", ""))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("1 MiB");
  }

  @Test
  void rollbackCommitsOldTextAsNewVersion() {
    DtabVersion v1 = store.create("default", "/a => /one; # original", "alice", "");
    DtabVersion v2 = store.update("default", "/a=>/two", Optional.empty(), "alice", "");

    DtabVersion v3 = store.rollback("default", 1, Optional.of(v2.etag()), "bob", "");

    assertThat(v3.version()).isEqualTo(3);
    assertThat(v3.text()).isEqualTo(v1.text());
    assertThat(v3.comment()).isEqualTo("rollback to version 1");
    assertThat(v3.author()).isEqualTo("bob");
  }

  @Test
  void rollbackWithStaleEtagConflicts() {
    DtabVersion v1 = store.create("default", "/a=>/one", "alice", "");
    store.update("default", "/a=>/two", Optional.empty(), "alice", "");

    assertThatThrownBy(() -> store.rollback("default", 1, Optional.of(v1.etag()), "bob", ""))
        .isInstanceOf(StoreException.Conflict.class);
  }

  @Test
  void rollbackToMissingVersionIsInvalid() {
    store.create("default", "/a=>/one", "alice", "");

    assertThatThrownBy(() -> store.rollback("default", 9, Optional.empty(), "bob", ""))
        .isInstanceOf(StoreException.Invalid.class)
        .hasMessageContaining("no version 9");
  }

  @Test
  void historySurvivesReopen() {
    store.create("default", "/a=>/one", "alice", "why");
    store.update("default", "/a=>/two", Optional.empty(), "bob", "");
    List<DtabVersion> before = store.versions("default");
    store.close();

    store = reopen();

    assertThat(store.versions("default")).isEqualTo(before);
  }

  @Test
  void seedCreatesOnlyNamespacesThatNeverExisted() {
    store.create("kept", "/a=>/mine", "alice", "");
    store.create("dropped", "/a=>/b", "alice", "");
    store.delete("dropped", Optional.empty(), "alice", "");

    List<DtabVersion> created =
        store.seed(Map.of("kept", "/a=>/cfg", "dropped", "/a=>/cfg", "new", "/a=>/cfg"));

    assertThat(created).extracting(DtabVersion::namespace).containsExactly("new");
    assertThat(created.get(0).author()).isEqualTo(JdbcDtabStore.SEED_AUTHOR);
    assertThat(store.current("kept").orElseThrow().text()).isEqualTo("/a=>/mine");
    assertThat(store.current("dropped")).isEmpty();
  }

  @Test
  void seedWithOneBadDtabWritesNothing() {
    assertThatThrownBy(() -> store.seed(Map.of("a", "/a=>/b", "b", "/a=>")))
        .isInstanceOf(StoreException.Invalid.class);
    assertThat(store.namespaces()).isEmpty();
  }

  @Test
  void subscribersHearEachCommitOnceInOrderBeforeTheWriteReturns() throws Exception {
    List<StoreEvent> heard = Collections.synchronizedList(new ArrayList<>());
    try (AutoCloseable ignored = store.subscribe(heard::add)) {
      store.create("default", "/a=>/one", "alice", "");
      store.update("default", "/a=>/two", Optional.empty(), "alice", "");
      store.delete("default", Optional.empty(), "alice", "");
    }
    store.create("other", "/a=>/b", "alice", "");

    assertThat(heard)
        .extracting(StoreEvent::kind, e -> e.version().version())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(StoreEvent.Kind.CREATED, 1L),
            org.assertj.core.groups.Tuple.tuple(StoreEvent.Kind.UPDATED, 2L),
            org.assertj.core.groups.Tuple.tuple(StoreEvent.Kind.DELETED, 3L));
  }

  @Test
  void throwingSubscriberBreaksNeitherStoreNorOthers() {
    List<StoreEvent> heard = Collections.synchronizedList(new ArrayList<>());
    store.subscribe(
        e -> {
          throw new IllegalStateException("listener bug");
        });
    store.subscribe(heard::add);

    DtabVersion v = store.create("default", "/a=>/one", "alice", "");

    assertThat(heard).extracting(StoreEvent::version).containsExactly(v);
    assertThat(store.current("default")).contains(v);
  }

  @Test
  void failedWriteIsNotPublished() {
    List<StoreEvent> heard = Collections.synchronizedList(new ArrayList<>());
    store.subscribe(heard::add);
    store.create("default", "/a=>/one", "alice", "");

    assertThatThrownBy(() -> store.create("default", "/a=>/two", "alice", ""))
        .isInstanceOf(StoreException.AlreadyExists.class);

    assertThat(heard).hasSize(1);
  }

  @Test
  void racingWritersWithSameEtagExactlyOneWins() throws Exception {
    DtabVersion v1 = store.create("default", "/a=>/one", "alice", "");
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<String>> outcomes = new ArrayList<>();
    try {
      for (int i = 0; i < writers; i++) {
        String text = "/a=>/w" + i;
        outcomes.add(
            pool.submit(
                () -> {
                  start.await();
                  try {
                    store.update("default", text, Optional.of(v1.etag()), "w", "");
                    return "won";
                  } catch (StoreException.Conflict e) {
                    return "conflict";
                  }
                }));
      }
      start.countDown();
      List<String> results = new ArrayList<>();
      for (Future<String> f : outcomes) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }

      assertThat(results).filteredOn("won"::equals).hasSize(1);
      assertThat(results).filteredOn("conflict"::equals).hasSize(writers - 1);
      assertThat(store.versions("default")).hasSize(2);
    } finally {
      pool.shutdownNow();
    }
  }
}
