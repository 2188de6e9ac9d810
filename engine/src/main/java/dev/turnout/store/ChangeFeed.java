package dev.turnout.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears commits that other processes made to a shared database, so this process's subscribers (its
 * routers, watch streams, the dashboard) learn of them as of its own. A thread runs {@code catchUp}
 * whenever the database signals a change and at least every {@code poll} besides:
 *
 * <ul>
 *   <li>on PostgreSQL it holds a connection of its own that {@code LISTEN}s on {@link Dialect#CHANNEL},
 *       so a commit anywhere wakes it within milliseconds; the poll covers a notification lost while
 *       that connection was being replaced;
 *   <li>on H2, whose file only one process opens, the poll alone serves (a shared H2 server is
 *       followed within {@code poll}).
 * </ul>
 *
 * A database that stops answering is logged once when it goes and once when it comes back, never on
 * every poll.
 */
final class ChangeFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

  /** What the feed runs on each wake-up; it throws {@link StoreException} when the database is away. */
  @FunctionalInterface
  interface CatchUp {
    void run();
  }

  /** The longest a LISTEN wait goes without looking whether the feed was closed. */
  private static final long SLICE_MILLIS = 250;

  private final Dialect dialect;
  private final HikariDataSource source;
  private final Duration poll;
  private final CatchUp catchUp;
  private final Thread thread;
  private final Object wake = new Object();
  private volatile boolean closed;
  private boolean away;
  private Connection listening;

  ChangeFeed(Dialect dialect, HikariDataSource source, Duration poll, CatchUp catchUp) {
    this.dialect = dialect;
    this.source = source;
    this.poll = poll;
    this.catchUp = catchUp;
    this.thread = new Thread(this::loop, "turnout-store-feed");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (!closed) {
      awaitSignal();
      if (closed) {
        break;
      }
      try {
        catchUp.run();
        if (away) {
          away = false;
          log.info("the store's database answers again; changes made meanwhile are caught up");
        }
      } catch (StoreException e) {
        if (!away) {
          away = true;
          log.warn("cannot read changes from the store's database ({}); retrying every {} ms",
              e.getMessage(), poll.toMillis());
        }
      } catch (RuntimeException e) {
        log.warn("reading changes from the store failed", e);
      }
    }
    closeListener();
  }

  /** Returns when the database signals a change, or when {@code poll} has passed. */
  private void awaitSignal() {
    if (dialect.notifyStatement().isPresent()) {
      try {
        if (listening == null) {
          // A commit made before LISTEN took effect was not notified: catch up once it has.
          listening = listen();
          return;
        }
        // Waits in slices, so that close() is noticed; a notification ends the wait at once.
        long end = System.nanoTime() + poll.toNanos();
        while (!closed && System.nanoTime() - end < 0) {
          long left = Math.max(1, (end - System.nanoTime()) / 1_000_000);
          var heard = listening.unwrap(PGConnection.class).getNotifications((int) Math.min(left, SLICE_MILLIS));
          if (heard != null && heard.length > 0) {
            return;
          }
        }
        return;
      } catch (SQLException e) {
        closeListener(); // reconnects on the next round, after the poll's wait below
      }
    }
    synchronized (wake) {
      if (!closed) {
        try {
          wake.wait(poll.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          closed = true;
        }
      }
    }
  }

  private Connection listen() throws SQLException {
    java.util.Properties login = new java.util.Properties();
    login.putAll(dialect.driverProperties());
    if (source.getUsername() != null) {
      login.setProperty("user", source.getUsername());
    }
    if (source.getPassword() != null) {
      login.setProperty("password", source.getPassword());
    }
    Connection c = DriverManager.getConnection(source.getJdbcUrl(), login);
    try (Statement st = c.createStatement()) {
      st.execute("LISTEN " + Dialect.CHANNEL);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void closeListener() {
    if (listening != null) {
      try {
        listening.close();
      } catch (SQLException ignored) {
        // going anyway
      }
      listening = null;
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (wake) {
      wake.notifyAll();
    }
    thread.interrupt();
    try {
      thread.join(SLICE_MILLIS * 4 + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
