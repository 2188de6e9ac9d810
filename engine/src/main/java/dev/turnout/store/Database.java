package dev.turnout.store;

import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The embedded H2 database behind the stores: a small connection pool, the schema brought up to date
 * by Flyway on open, and one-transaction units of work.
 *
 * <p>Durability: H2's MVStore normally writes committed changes to its file in the background, up to
 * half a second later, so a process killed in that window loses answered writes. The store sets {@code
 * WRITE_DELAY 0}, which makes every commit write its changes to the file before it returns; a write
 * that was answered survives {@code kill -9}. (H2 does not fsync each commit, so a power cut may still
 * lose the last commits; the operating system's page cache holds them until it writes them out.)
 */
final class Database implements AutoCloseable {

  /** Postgres-style SQLSTATE that H2 reports for a duplicate key. */
  private static final String UNIQUE_VIOLATION = "23505";

  private final String url;
  private final JdbcConnectionPool pool;

  private Database(String url, JdbcConnectionPool pool) {
    this.url = url;
    this.pool = pool;
  }

  /** Opens (creating if needed) the database at {@code jdbcUrl} and migrates it to the latest schema. */
  static Database open(String jdbcUrl) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:h2:")) {
      throw new IllegalArgumentException("the store needs an H2 JDBC URL (jdbc:h2:...), not " + jdbcUrl);
    }
    JdbcConnectionPool pool = JdbcConnectionPool.create(jdbcUrl, "sa", "");
    pool.setMaxConnections(16);
    Database db = new Database(jdbcUrl, pool);
    try {
      db.migrate();
      db.run(
          c -> {
            try (var st = c.createStatement()) {
              st.execute("SET WRITE_DELAY 0");
              st.execute("SET DEFAULT_LOCK_TIMEOUT 10000");
            }
            return null;
          });
      return db;
    } catch (RuntimeException e) {
      pool.dispose();
      throw e;
    }
  }

  private void migrate() {
    try {
      Flyway.configure()
          .dataSource(pool)
          .locations("classpath:db/migration")
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      String why = rootMessage(e);
      String hint =
          why.contains("locked")
              ? " (is another Turnout process using this data directory?)"
              : "";
      throw new StoreException("cannot open the store at " + url + ": " + why + hint, e);
    }
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
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("store failure: " + e.getMessage(), e);
    }
  }

  /** Runs read-only work on a connection in auto-commit mode. */
  <T> T read(Work<T> work) {
    try (Connection c = connection()) {
      return work.apply(c);
    } catch (SQLException e) {
      throw new StoreException("store failure: " + e.getMessage(), e);
    }
  }

  private Connection connection() throws SQLException {
    try {
      return pool.getConnection();
    } catch (IllegalStateException e) {
      throw new StoreException("the store is closed");
    }
  }

  private static boolean isUniqueViolation(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      if (UNIQUE_VIOLATION.equals(s.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.toString() : t.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  @Override
  public void close() {
    pool.dispose();
  }
}
