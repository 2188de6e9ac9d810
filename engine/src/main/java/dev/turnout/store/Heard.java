package dev.turnout.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * What one {@link JdbcDtabStore} has heard of each namespace's versions, and the telling of it to
 * subscribers: every version once, in version order per namespace, whichever process committed it.
 * Its own commits are published as they commit; other processes' are caught up with when the {@link
 * ChangeFeed} wakes. It also keeps the last version seen of each namespace, which reads fall back on
 * while the database is away, and a small cache of versions already read.
 *
 * <p>Changes to what subscribers have heard happen only while holding the store's write lock, so a
 * commit of this process and a catch-up never queue the same version twice or out of order.
 */
final class Heard {
  private final Database db;
  private final ReentrantLock writes;
  /**
   * The newest version of each namespace that subscribers have heard (a deletion included): where the
   * change feed picks up from. Changed only while holding {@link #writes}.
   */
  private final Map<String, DtabVersion> known = new ConcurrentHashMap<>();
  /**
   * The newest version of each namespace this process has seen by any way, heard or read (a deletion
   * included): what reads fall back on while the database is away. A read can see a version before
   * the change feed has delivered it, so this runs ahead of {@link #known}.
   */
  private final Map<String, DtabVersion> seen = new ConcurrentHashMap<>();
  private final Subscribers subscribers = new Subscribers();
  private final Cache<VersionKey, DtabVersion> parsed = Caffeine.newBuilder().maximumSize(1024).build();

  private record VersionKey(String namespace, long version) {}

  Heard(Database db, ReentrantLock writes) {
    this.db = db;
    this.writes = writes;
  }

  AutoCloseable subscribe(Consumer<StoreEvent> listener) {
    return subscribers.add(listener);
  }

  /** Hands queued events to subscribers; called without the write lock. */
  void deliver() {
    subscribers.deliver();
  }

  /** The last version seen of each namespace. */
  Collection<DtabVersion> lastSeen() {
    return seen.values();
  }

  Optional<DtabVersion> lastSeen(String namespace) {
    return Optional.ofNullable(seen.get(namespace));
  }

  Optional<DtabVersion> cached(String namespace, long version) {
    return Optional.ofNullable(parsed.getIfPresent(new VersionKey(namespace, version)));
  }

  void cache(DtabVersion v) {
    parsed.put(new VersionKey(v.namespace(), v.version()), v);
  }

  /**
   * Queues {@code event} for subscribers, after any version of its namespace committed elsewhere
   * between the last one they heard and this one, so they hear every version in order. Caller holds
   * {@link #writes}.
   */
  void publish(StoreEvent event) {
    DtabVersion v = event.version();
    DtabVersion heard = known.get(event.namespace());
    long last = heard == null ? 0 : heard.version();
    if (last < v.version() - 1) {
      try {
        for (DtabVersion missed : db.read(c -> VersionTable.after(c, event.namespace(), last))) {
          if (missed.version() < v.version()) {
            queue(missed);
          }
        }
      } catch (StoreException e) {
        // the change feed delivers them later; subscribers keep the newest they hear regardless
      }
    }
    queue(event);
  }

  private void queue(DtabVersion v) {
    DtabVersion before = known.get(v.namespace());
    StoreEvent.Kind kind =
        v.deleted()
            ? StoreEvent.Kind.DELETED
            : before == null || before.deleted() ? StoreEvent.Kind.CREATED : StoreEvent.Kind.UPDATED;
    queue(new StoreEvent(v.namespace(), v, kind));
  }

  private void queue(StoreEvent event) {
    DtabVersion before = known.get(event.namespace());
    if (before != null && before.version() >= event.version().version()) {
      return; // heard already
    }
    cache(event.version());
    known.put(event.namespace(), event.version());
    saw(event.version());
    subscribers.enqueue(event);
  }

  /**
   * Brings {@link #known} up to the database: every version committed since, by any process, is
   * queued for subscribers (or, when {@code tell} is false, at open, only remembered).
   */
  void catchUp(boolean tell) {
    Map<String, VersionTable.NamespaceRow> rows = db.read(VersionTable::rows);
    boolean queued = false;
    for (Map.Entry<String, VersionTable.NamespaceRow> row : rows.entrySet()) {
      DtabVersion heard = known.get(row.getKey());
      long last = heard == null ? 0 : heard.version();
      if (row.getValue().latest() <= last) {
        continue;
      }
      writes.lock();
      try {
        heard = known.get(row.getKey());
        long from = heard == null ? 0 : heard.version();
        if (!tell) {
          long latest = row.getValue().latest();
          db.read(c -> VersionTable.find(c, row.getKey(), latest))
              .ifPresent(v -> {
                known.put(v.namespace(), v);
                saw(v);
              });
          continue;
        }
        for (DtabVersion v : db.read(c -> VersionTable.after(c, row.getKey(), from))) {
          queue(v);
          queued = true;
        }
      } finally {
        writes.unlock();
      }
    }
    if (queued) {
      subscribers.deliver();
    }
  }

  /** Remembers {@code v} for reads while the database is away, unless a newer version is known. */
  void saw(DtabVersion v) {
    seen.merge(v.namespace(), v, (old, next) -> next.version() >= old.version() ? next : old);
  }

  /** Wakes other processes' change feeds, where the database can (PostgreSQL's NOTIFY). */
  static void notifyOthers(Database db, Connection c) throws SQLException {
    Optional<String> notify = db.dialect().notifyStatement();
    if (notify.isPresent()) {
      try (Statement st = c.createStatement()) {
        st.execute(notify.get());
      }
    }
  }
}
