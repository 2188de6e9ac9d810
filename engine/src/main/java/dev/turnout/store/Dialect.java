package dev.turnout.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * What differs between the databases the store runs on. Every query is the same SQL for both; the
 * differences are these named steps, so none of them is an {@code if} inside a query.
 *
 * <ul>
 *   <li>{@link #H2}: the embedded default, a file only one process opens. Committed changes are
 *       written to the file before the commit returns ({@code WRITE_DELAY 0}; H2 would otherwise
 *       write them up to half a second later, and a {@code kill -9} in that window would lose answered
 *       writes). H2 does not fsync each commit, so a power cut may still lose the last commits.
 *   <li>{@link #POSTGRESQL}: a server that several control planes share. A commit tells the others
 *       at once through {@code NOTIFY} on {@value #CHANNEL}; they also poll, in case a notification is
 *       lost with a connection.
 * </ul>
 */
enum Dialect {
  H2 {
    @Override
    void prepare(Connection c) throws SQLException {
      try (Statement st = c.createStatement()) {
        st.execute("SET WRITE_DELAY 0");
        st.execute("SET DEFAULT_LOCK_TIMEOUT 10000");
      }
    }

    @Override
    Optional<String> notifyStatement() {
      return Optional.empty();
    }

    @Override
    java.util.Map<String, String> driverProperties() {
      return java.util.Map.of();
    }

    @Override
    Optional<String> defaultUser() {
      return Optional.of("sa");
    }

    @Override
    String openHint(String why) {
      return why.contains("locked") ? " (is another Turnout process using this data directory?)" : "";
    }
  },

  POSTGRESQL {
    @Override
    void prepare(Connection c) {}

    @Override
    Optional<String> notifyStatement() {
      return Optional.of("NOTIFY " + CHANNEL);
    }

    /** Seconds: a server that stops answering mid-query fails the query instead of holding it. */
    @Override
    java.util.Map<String, String> driverProperties() {
      return java.util.Map.of("connectTimeout", "2", "socketTimeout", "10", "loginTimeout", "2");
    }

    @Override
    Optional<String> defaultUser() {
      return Optional.empty();
    }

    @Override
    String openHint(String why) {
      return why.contains("password")
          ? " (the password comes from storage.password or " + STORE_PASSWORD_ENV + ")"
          : "";
    }
  };

  /** The channel a PostgreSQL commit notifies on. */
  static final String CHANNEL = "turnout_dtab_change";

  /** Where the PostgreSQL password comes from when the config does not give one. */
  public static final String STORE_PASSWORD_ENV = "TURNOUT_STORE_PASSWORD";

  /** One-time settings on a fresh database connection, run once when the store opens. */
  abstract void prepare(Connection c) throws SQLException;

  /** A statement, run inside each committing transaction, that wakes other processes' change feeds. */
  abstract Optional<String> notifyStatement();

  /** Settings for the JDBC driver itself. */
  abstract java.util.Map<String, String> driverProperties();

  /** The user to connect as when none is configured; empty: the driver's own default. */
  abstract Optional<String> defaultUser();

  /** A hint added to an error on open, from the database's own message. */
  abstract String openHint(String why);

  /** The dialect of a JDBC URL. @throws IllegalArgumentException for a database the store does not run on */
  static Dialect of(String jdbcUrl) {
    if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:h2:")) {
      return H2;
    }
    if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "the store runs on H2 (jdbc:h2:...) or PostgreSQL (jdbc:postgresql://HOST:PORT/DB), not " + jdbcUrl);
  }
}
