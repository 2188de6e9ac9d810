package dev.turnout.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * The database behind the stores, embedded H2 or a shared PostgreSQL: a connection pool, the schema
 * brought up to date by Flyway on open (the same migrations for both), and one-transaction units of
 * work. What differs between the two is in {@link Dialect}, never in a query.
 *
 * <p>When the database cannot be reached (a PostgreSQL server restarting, a network cut), work fails
 * fast with {@link StoreException.Unavailable} instead of waiting: a connection is waited for at most
 * {@link #CONNECT_WAIT}. The pool reconnects by itself once the server answers again, so nothing needs
 * a restart.
 */
final class Database implements AutoCloseable {

  /** SQLSTATE of a duplicate key, the same in H2 and PostgreSQL. */
  private static final String UNIQUE_VIOLATION = "23505";

  /** How long a unit of work waits for a connection before the store counts as unavailable. */
  static final Duration CONNECT_WAIT = Duration.ofSeconds(2);

  /**
   * After the database is found unreachable, work fails at once for this long instead of each unit
   * waiting {@link #CONNECT_WAIT} for a connection; reads then answer from what the store last saw
   * without a pause, and the change feed's next poll finds the database back.
   */
  static final Duration DOWN_FOR = Duration.ofSeconds(1);

  private final String url;
  private final Dialect dialect;
  private final HikariDataSource pool;
  private volatile long downUntil = System.nanoTime();
  private volatile String downBecause = "";

  private Database(String url, Dialect dialect, HikariDataSource pool) {
    this.url = url;
    this.dialect = dialect;
    this.pool = pool;
  }

  /** Opens (creating if needed) the database at {@code jdbcUrl} and migrates it to the latest schema. */
  static Database open(String jdbcUrl, String user, String password) {
    Dialect dialect = Dialect.of(jdbcUrl);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    // Without a user, PostgreSQL's driver takes one from the URL (?user=) or the OS user's name.
    dialect.defaultUser().ifPresent(config::setUsername);
    if (user != null) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(16);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(CONNECT_WAIT.toMillis());
    config.setValidationTimeout(Math.min(1000, CONNECT_WAIT.toMillis() - 1));
    config.setPoolName("turnout-store");
    // A server that hangs (rather than closing connections) must not hang the work waiting on it.
    dialect.driverProperties().forEach(config::addDataSourceProperty);
    // Start-up fails at once, with the server's own words, when the database cannot be reached.
    config.setInitializationFailTimeout(1);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (HikariPool.PoolInitializationException e) {
      throw new StoreException(
          "cannot open the store at " + redacted(jdbcUrl) + ": " + rootMessage(e) + dialect.openHint(rootMessage(e)), e);
    }
    Database db = new Database(jdbcUrl, dialect, pool);
    try {
      db.migrate();
      db.run(
          c -> {
            dialect.prepare(c);
            return null;
          });
      return db;
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  Dialect dialect() {
    return dialect;
  }

  /** The URL and user the pool connects with, for a connection of one's own (a change listener). */
  HikariDataSource pool() {
    return pool;
  }

  private void migrate() {
    try {
      Flyway flyway =
          Flyway.configure()
              .dataSource(pool)
              .locations("classpath:db/migration")
              .failOnMissingLocations(true)
              .validateOnMigrate(false)
              .load();
      ValidateResult validation = flyway.validateWithResult();
      if (!validation.validationSuccessful && onlyRetypedBaseline(validation.invalidMigrations)) {
        // Versions 1 and 2 were first written with H2-only column types (CHARACTER LARGE OBJECT,
        // VARBINARY) and rewritten with types both databases accept; H2 stores both the same way,
        // so a data directory made before that only needs its recorded checksums brought up to date.
        flyway.repair();
      } else if (!validation.validationSuccessful && !pendingOnly(validation.invalidMigrations)) {
        throw new FlywayException(validation.getAllErrorMessages());
      }
      flyway.migrate();
    } catch (FlywayException e) {
      String why = rootMessage(e);
      throw new StoreException("cannot open the store at " + redacted(url) + ": " + why + dialect.openHint(why), e);
    }
  }

  private static boolean onlyRetypedBaseline(List<ValidateOutput> invalid) {
    boolean any = false;
    for (ValidateOutput o : invalid) {
      if (isPending(o)) {
        continue;
      }
      boolean retyped =
          o.errorDetails != null
              && o.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH
              && ("1".equals(o.version) || "2".equals(o.version));
      if (!retyped) {
        return false;
      }
      any = true;
    }
    return any;
  }

  private static boolean pendingOnly(List<ValidateOutput> invalid) {
    return invalid.stream().allMatch(Database::isPending);
  }

  /** A migration not applied yet, which {@code migrate} is about to apply: not an error here. */
  private static boolean isPending(ValidateOutput o) {
    return o.errorDetails != null
        && (o.errorDetails.errorCode == CoreErrorCode.RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED
            || o.errorDetails.errorCode == CoreErrorCode.OUTDATED_REPEATABLE_MIGRATION);
  }

  /** One unit of work, committed when it returns and rolled back when it throws. */
  @FunctionalInterface
  interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction. A duplicate key (another writer committed the same row
   * first) runs it again from the start, up to three times, so the retry sees the winner's commit.
   */
  <T> T transaction(Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return run(work);
      } catch (StoreException e) {
        if (attempt < 3 && e.getCause() instanceof SQLException sql && isUniqueViolation(sql)) {
          continue;
        }
        throw e;
      }
    }
  }

  private <T> T run(Work<T> work) {
    try (Connection c = connection()) {
      c.setAutoCommit(false);
      try {
        T result = work.apply(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Runs read-only work on a connection in auto-commit mode. */
  <T> T read(Work<T> work) {
    try (Connection c = connection()) {
      return work.apply(c);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private Connection connection() throws SQLException {
    if (pool.isClosed()) {
      throw new StoreException("the store is closed");
    }
    if (System.nanoTime() - downUntil < 0) {
      throw new StoreException.Unavailable(downBecause, null);
    }
    return pool.getConnection();
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the pool throws it away, and the transaction died with it
    }
  }

  /** A failed unit of work as the store reports it: unreachable, or failed for another reason. */
  private StoreException failure(SQLException e) {
    if (isUnreachable(e)) {
      downBecause = "the store's database is not answering (" + server(url) + "); try again shortly";
      downUntil = System.nanoTime() + DOWN_FOR.toNanos();
      return new StoreException.Unavailable(downBecause, e);
    }
    return new StoreException("store failure: " + e.getMessage(), e);
  }

  /**
   * The database cannot be reached or went away mid-work: no connection in time, or SQLSTATE class 08
   * (connection exception) or 57P0x (the server shutting down).
   */
  static boolean isUnreachable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P")) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isUniqueViolation(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      if (UNIQUE_VIOLATION.equals(s.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** The host and port (or file) a JDBC URL names, without database, user or password. */
  static String server(String jdbcUrl) {
    String rest = jdbcUrl.replaceFirst("^jdbc:[a-z0-9]+:(//)?", "");
    int end = rest.length();
    for (char c : new char[] {'/', '?', ';'}) {
      int i = rest.indexOf(c);
      if (i >= 0 && i < end && !(c == '/' && jdbcUrl.startsWith("jdbc:h2:"))) {
        end = i;
      }
    }
    return rest.substring(0, end);
  }

  /** The URL without any password a user wrote into it. */
  static String redacted(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return firstLine(t.getMessage() == null ? t.toString() : t.getMessage());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  @Override
  public void close() {
    pool.close();
  }
}
