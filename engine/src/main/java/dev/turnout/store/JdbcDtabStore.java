package dev.turnout.store;

import dev.turnout.dtab.WrittenDtab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The dtab store in a database: embedded H2 by default (a file in the data directory, see {@link
 * Dialect} for durability), or a PostgreSQL server that several control planes share.
 *
 * <p>Each namespace has a history of versions numbered 1, 2, 3... A version keeps the text as written,
 * its canonical form, who wrote it, why, and when; a deletion is a version too (empty text, {@code
 * deleted}). Numbers continue after a delete and re-create, so an ETag ({@link ETags}) is never reused
 * within a namespace. Rows are only ever inserted.
 *
 * <p>Writes are serialised in this process by a lock and, for other processes sharing the database,
 * by a row lock on the namespace ({@code SELECT ... FOR UPDATE}) backed by the primary key on
 * (namespace, version): of writers racing with the same {@code If-Match}, in this process or in
 * others, one commits and the others get {@link StoreException.Conflict}.
 *
 * <p>Subscribers hear every version once, in version order per namespace, whichever process committed
 * it: this process's own commits before the write returns, other processes' through the {@link
 * ChangeFeed} (within milliseconds on PostgreSQL, within the feed's poll otherwise).
 *
 * <p>While the database cannot be reached, writes and history reads fail with {@link
 * StoreException.Unavailable}; {@link #current} and {@link #namespaces} answer from the last versions
 * this process saw, so routes keep being served. Nothing needs a restart when the database returns.
 *
 * <pre>{@code
 * try (JdbcDtabStore store = JdbcDtabStore.openFile(Path.of("data"))) {
 *   DtabVersion v1 = store.create("default", "/svc => /#/io.l5d.fs;", "admin", "first routes");
 *   store.update("default", "/svc => /$/inet/127.0.0.1/8080;", Optional.of(v1.etag()), "admin", "");
 * }
 * }</pre>
 */
public final class JdbcDtabStore implements DtabStore {

  /** The largest dtab text accepted, in UTF-8 bytes (1 MiB). */
  public static final int MAX_DTAB_BYTES = DtabText.MAX_BYTES;

  static final int MAX_AUTHOR = 256;
  static final int MAX_COMMENT = 4096;

  /** Who {@link #seed} records as the author of the namespaces it creates. */
  public static final String SEED_AUTHOR = "config";

  private final Database db;
  private final Clock clock;
  private ChangeFeed feed;
  private final FleetTable fleet;
  private final JdbcUserStore users;
  private final RolloutTable rollouts;
  private final ReentrantLock writes = new ReentrantLock();
  private final Heard heard;

  private JdbcDtabStore(Database db, Clock clock, int passwordIterations) {
    this.db = db;
    this.clock = clock;
    this.users = new JdbcUserStore(db, clock, passwordIterations);
    this.fleet = new FleetTable(db);
    this.rollouts = new RolloutTable(db);
    this.heard = new Heard(db, writes);
  }

  /** How often the change feed looks for other processes' commits when nothing woke it. */
  public static final Duration DEFAULT_FEED_POLL = Duration.ofSeconds(1);

  /** Opens the store at an H2 JDBC URL, e.g. {@code jdbc:h2:file:/var/lib/turnout/turnout}. */
  public static JdbcDtabStore open(String jdbcUrl) {
    return builder(jdbcUrl).open();
  }

  /** Opens (creating if needed) the store in {@code dataDir}: the file {@code <dataDir>/turnout.mv.db}. */
  public static JdbcDtabStore openFile(Path dataDir) {
    return builder(fileUrl(dataDir)).open();
  }

  /** The JDBC URL of the store kept in {@code dataDir}, creating the directory. */
  public static String fileUrl(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
    }
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("turnout");
  }

  public static Builder builder(String jdbcUrl) {
    return new Builder(jdbcUrl);
  }

  /** Settings for {@link #open()}; each setter rejects a bad value at once. */
  public static final class Builder {
    private final String jdbcUrl;
    private Clock clock = Clock.systemUTC();
    private int passwordIterations = PasswordHasher.DEFAULT_ITERATIONS;

    private String user;
    private String password;
    private Duration feedPoll = DEFAULT_FEED_POLL;

    private Builder(String jdbcUrl) {
      Dialect.of(jdbcUrl); // refuses a database the store does not run on
      this.jdbcUrl = jdbcUrl;
    }

    /** The database user (H2's default {@code sa}; PostgreSQL's, the OS user's name). */
    public Builder user(String user) {
      this.user = user;
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** How often to look for other processes' commits without a signal (default 1 s). */
    public Builder feedPoll(Duration poll) {
      if (poll == null || poll.toMillis() < 10 || poll.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("feedPoll must be at least 10 ms, not " + poll);
      }
      this.feedPoll = poll;
      return this;
    }

    /** Where created-at times come from (default: the UTC system clock). */
    public Builder clock(Clock clock) {
      if (clock == null) {
        throw new IllegalArgumentException("clock must not be null");
      }
      this.clock = clock;
      return this;
    }

    /**
     * PBKDF2 iterations for new password hashes (default 600,000, OWASP's figure for
     * PBKDF2-HMAC-SHA256). Tests lower it to stay fast; a stored hash with fewer is replaced at its owner's
     * next sign-in.
     */
    public Builder passwordIterations(int iterations) {
      if (iterations < 1) {
        throw new IllegalArgumentException("passwordIterations must be >= 1, not " + iterations);
      }
      this.passwordIterations = iterations;
      return this;
    }

    /** Opens the database, migrating its schema to the latest version. */
    public JdbcDtabStore open() {
      Database db = Database.open(jdbcUrl, user, password);
      JdbcDtabStore store = new JdbcDtabStore(db, clock, passwordIterations);
      try {
        store.heard.catchUp(false);
      } catch (RuntimeException e) {
        db.close();
        throw e;
      }
      store.feed = new ChangeFeed(db.dialect(), db.pool(), feedPoll, () -> store.heard.catchUp(true));
      return store;
    }
  }

  /** Whether the database answers now (waiting at most {@link Database#CONNECT_WAIT} to find out). */
  public boolean reachable() {
    try {
      return db.read(c -> c.isValid(1));
    } catch (StoreException e) {
      return false;
    }
  }

  /** The fleet's reports, kept in the same database. */
  public FleetTable fleet() {
    return fleet;
  }

  /** The progressive rollouts, kept in the same database. */
  public RolloutTable rollouts() {
    return rollouts;
  }

  /** The users kept in the same database. */
  public JdbcUserStore userStore() {
    return users;
  }

  // ---- reads ----

  @Override
  public List<String> namespaces() {
    List<String> names;
    try {
      names = new ArrayList<>(db.read(VersionTable::liveNamespaces));
    } catch (StoreException.Unavailable away) {
      names = new ArrayList<>();
      for (DtabVersion v : heard.lastSeen()) {
        if (!v.deleted()) {
          names.add(v.namespace());
        }
      }
    }
    names.sort(null);
    return List.copyOf(names);
  }

  @Override
  public Optional<DtabVersion> current(String namespace) {
    Namespaces.check(namespace);
    try {
      Optional<DtabVersion> now = db.read(c -> VersionTable.current(c, namespace));
      now.ifPresent(heard::saw);
      return now;
    } catch (StoreException.Unavailable away) {
      return heard.lastSeen(namespace).filter(v -> !v.deleted());
    }
  }

  @Override
  public List<DtabVersion> versions(String namespace) {
    Namespaces.check(namespace);
    return db.read(c -> VersionTable.history(c, namespace));
  }

  @Override
  public Optional<DtabVersion> version(String namespace, long version) {
    Namespaces.check(namespace);
    Optional<DtabVersion> cached = heard.cached(namespace, version);
    if (cached.isPresent()) {
      return cached;
    }
    Optional<DtabVersion> found = db.read(c -> VersionTable.find(c, namespace, version));
    found.ifPresent(heard::cache);
    return found;
  }

  // ---- writes ----

  /**
   * {@link #create(String, WrittenDtab, String, String)} for a caller that holds only text (a seed, a
   * test): the text enters here and is read once by {@link DtabText#read}, after the who and why are
   * checked, as every write checked them.
   */
  public DtabVersion create(String namespace, String dtabText, String author, String comment) {
    new Write(namespace, author, comment);
    return create(namespace, DtabText.read(dtabText), author, comment);
  }

  /** {@link #update(String, WrittenDtab, Optional, String, String)} for a caller that holds only text. */
  public DtabVersion update(
      String namespace, String dtabText, Optional<String> ifMatch, String author, String comment) {
    new Write(namespace, author, comment);
    return update(namespace, DtabText.read(dtabText), ifMatch, author, comment);
  }

  @Override
  public DtabVersion create(String namespace, WrittenDtab dtab, String author, String comment) {
    Write w = new Write(namespace, author, comment);
    DtabText.check(dtab);
    return commit(
        w,
        (c, state) -> {
          if (state.exists()) {
            throw new StoreException.AlreadyExists(namespace);
          }
          Namespaces.checkNew(namespace);
          return dtab;
        });
  }

  @Override
  public DtabVersion update(
      String namespace, WrittenDtab dtab, Optional<String> ifMatch, String author, String comment) {
    Write w = new Write(namespace, author, comment);
    DtabText.check(dtab);
    return commit(
        w,
        (c, state) -> {
          state.checkIfMatch(ifMatch);
          if (!state.exists()) {
            Namespaces.checkNew(namespace); // an upsert that creates
          }
          return dtab;
        });
  }

  @Override
  public DtabVersion delete(
      String namespace, Optional<String> ifMatch, String author, String comment) {
    Write w = new Write(namespace, author, comment);
    return commit(
        w,
        (c, state) -> {
          if (!state.exists()) {
            throw new StoreException.NotFound(namespace);
          }
          state.checkIfMatch(ifMatch);
          return null;
        });
  }

  @Override
  public DtabVersion rollback(
      String namespace, long version, Optional<String> ifMatch, String author, String comment) {
    String why =
        comment == null || comment.isBlank() ? "rollback to version " + version : comment;
    Write w = new Write(namespace, author, why);
    return commit(
        w,
        (c, state) -> {
          if (state.latest().isEmpty()) {
            throw new StoreException.NotFound(namespace);
          }
          DtabVersion target =
              VersionTable.find(c, namespace, version)
                  .orElseThrow(
                      () ->
                          new StoreException.Invalid(
                              "namespace '" + namespace + "' has no version " + version));
          if (target.deleted()) {
            throw new StoreException.Invalid(
                "version "
                    + version
                    + " of '"
                    + namespace
                    + "' records a deletion; it has no dtab to roll back to");
          }
          state.checkIfMatch(ifMatch);
          return target.written();
        });
  }

  /**
   * Creates each namespace of {@code dtabs} (name to dtab text) that has never existed, as namerd's
   * {@code io.l5d.inMemory namespaces:} config does at start-up. A namespace that exists, or that an
   * operator deleted, is left alone: a restart does not undo a decision made through the API. Every
   * entry is validated before anything is written.
   *
   * @return the versions created, in namespace-name order
   */
  public List<DtabVersion> seed(Map<String, String> dtabs) {
    Map<String, WrittenDtab> sorted = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(dtabs).entrySet()) {
      Namespaces.checkNew(e.getKey());
      sorted.put(e.getKey(), DtabText.read(e.getValue()));
    }
    List<DtabVersion> created = new ArrayList<>();
    for (Map.Entry<String, WrittenDtab> e : sorted.entrySet()) {
      Write w = new Write(e.getKey(), SEED_AUTHOR, "seeded from the config file");
      Optional<DtabVersion> v =
          commitIf(
              w,
              (c, state) -> e.getValue(),
              state -> state.latest().isEmpty());
      v.ifPresent(created::add);
    }
    return List.copyOf(created);
  }

  @Override
  public AutoCloseable subscribe(Consumer<StoreEvent> listener) {
    return heard.subscribe(listener);
  }

  @Override
  public void close() {
    if (feed != null) {
      feed.close();
    }
    db.close();
  }

  // ---- the write path ----

  /** A write's validated who and why. */
  private record Write(String namespace, String author, String comment) {
    Write {
      Namespaces.check(namespace);
      if (author == null || author.isBlank()) {
        throw new StoreException.Invalid("a write needs an author");
      }
      if (author.length() > MAX_AUTHOR) {
        throw new StoreException.Invalid("author is longer than " + MAX_AUTHOR + " characters");
      }
      comment = comment == null ? "" : comment;
      if (comment.length() > MAX_COMMENT) {
        throw new StoreException.Invalid("comment is longer than " + MAX_COMMENT + " characters");
      }
      DtabText.refuseNul("the author", author);
      DtabText.refuseNul("the comment", comment);
    }
  }

  /** The namespace as a write finds it, with its row locked. */
  private record State(String namespace, Optional<Long> latest, boolean exists, Connection c) {
    DtabVersion currentVersion() throws SQLException {
      return VersionTable.current(c, namespace).orElseThrow();
    }

    void checkIfMatch(Optional<String> ifMatch) throws SQLException {
      if (ifMatch.isEmpty()) {
        return;
      }
      if (!exists) {
        throw new StoreException.NotFound(namespace);
      }
      DtabVersion current = currentVersion();
      Optional<Long> wanted = ETags.version(ifMatch.get());
      if (wanted.isEmpty() || wanted.get() != current.version()) {
        throw new StoreException.Conflict(namespace, ifMatch.get(), current);
      }
    }
  }

  /** Decides a write from the namespace's state: the new dtab, or null for a deletion. */
  @FunctionalInterface
  private interface Decision {
    WrittenDtab decide(Connection c, State state) throws SQLException;
  }

  private DtabVersion commit(Write w, Decision decision) {
    return commitIf(w, decision, state -> true).orElseThrow();
  }

  /**
   * Commits one new version of {@code w.namespace()} in one transaction, if {@code proceed} says so,
   * and tells subscribers after the commit.
   */
  private Optional<DtabVersion> commitIf(
      Write w, Decision decision, Predicate<State> proceed) {
    StoreEvent event;
    writes.lock();
    try {
      event =
          db.transaction(
              c -> {
                State state = lockNamespace(c, w.namespace());
                if (!proceed.test(state)) {
                  return null;
                }
                WrittenDtab dtab = decision.decide(c, state);
                long next = state.latest().orElse(0L) + 1;
                boolean deleting = dtab == null;
                Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
                VersionTable.writeNamespace(c, w.namespace(), state.latest().isPresent(), next, deleting);
                DtabVersion v =
                    new DtabVersion(
                        w.namespace(),
                        next,
                        ETags.of(next),
                        deleting ? WrittenDtab.EMPTY : dtab,
                        w.author(),
                        w.comment(),
                        now,
                        deleting);
                VersionTable.insert(c, v);
                Heard.notifyOthers(db, c);
                StoreEvent.Kind kind =
                    deleting
                        ? StoreEvent.Kind.DELETED
                        : state.exists() ? StoreEvent.Kind.UPDATED : StoreEvent.Kind.CREATED;
                return new StoreEvent(w.namespace(), v, kind);
              });
      if (event != null) {
        heard.publish(event);
      }
    } finally {
      writes.unlock();
    }
    heard.deliver();
    return Optional.ofNullable(event).map(StoreEvent::version);
  }

  private static State lockNamespace(Connection c, String namespace) throws SQLException {
    return VersionTable.lock(c, namespace)
        .map(row -> new State(namespace, Optional.of(row.latest()), !row.deleted(), c))
        .orElseGet(() -> new State(namespace, Optional.empty(), false, c));
  }
}
