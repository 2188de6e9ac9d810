package dev.turnout.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Rollouts kept in the store's database, so that they outlive a restart and every control plane
 * sharing the database sees the same ones. The table knows a rollout's namespace, service prefix and
 * state; everything else is the driver's {@code detail} (JSON), stored as given.
 *
 * <p>{@link #insert} refuses a second active rollout on the same namespace and prefix inside the
 * inserting transaction, under the namespace's row lock, so two control planes starting one at once
 * cannot both succeed.
 */
public final class RolloutTable {
  /** States in which a rollout still holds its dentry: another on the same prefix is refused. */
  public static final Set<String> ACTIVE = Set.of("running", "paused");

  /** One stored rollout. */
  public record Row(long id, String namespace, String service, String state, long revision, String detail,
      Instant createdAt, Instant updatedAt) {
    public Row {
      if (namespace == null || service == null || state == null || detail == null) {
        throw new StoreException.Invalid("a rollout row needs its namespace, service, state and detail");
      }
      if (service.length() > 1000 || state.length() > 16) {
        throw new StoreException.Invalid("a rollout's service or state is too long");
      }
    }

    public boolean active() {
      return ACTIVE.contains(state);
    }
  }

  /** Another rollout already holds the prefix. */
  public static final class Busy extends StoreException {
    private static final long serialVersionUID = 1L;
    private final long holder;

    Busy(String namespace, String service, long holder) {
      super("rollout " + holder + " is already moving " + service + " in '" + namespace + "'");
      this.holder = holder;
    }

    public long holder() {
      return holder;
    }
  }

  private final Database db;

  RolloutTable(Database db) {
    this.db = db;
  }

  /**
   * Stores a new rollout with the next id, unless an active one holds {@code service} in {@code
   * namespace}. {@code detail} is given the id it will have, so it can carry it too.
   *
   * @throws Busy when an active rollout holds the prefix
   */
  public Row insert(String namespace, String service, String state, java.util.function.LongFunction<String> detail,
      Instant now) {
    Namespaces.check(namespace);
    return db.transaction(
        c -> {
          VersionTable.lock(c, namespace); // serialises with commits and other inserts on the namespace
          for (Row r : select(c, "WHERE namespace = ? ORDER BY id DESC", namespace)) {
            if (r.active() && r.service().equals(service)) {
              throw new Busy(namespace, service, r.id());
            }
          }
          long id = nextId(c);
          Row row = new Row(id, namespace, service, state, 1, detail.apply(id), now, now);
          try (PreparedStatement st =
              c.prepareStatement(
                  "INSERT INTO rollout (id, namespace, service, state, revision, detail, created_at, updated_at)"
                      + " VALUES (?, ?, ?, ?, 1, ?, ?, ?)")) {
            st.setLong(1, id);
            st.setString(2, namespace);
            st.setString(3, service);
            st.setString(4, state);
            st.setString(5, row.detail());
            st.setObject(6, utc(now));
            st.setObject(7, utc(now));
            st.executeUpdate();
          }
          return row;
        });
  }

  /**
   * Replaces a rollout's state and detail if it is still at {@code revision} (no one else changed it
   * since it was read); returns whether it was.
   */
  public boolean update(long id, long revision, String state, String detail, Instant now) {
    return db.transaction(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement("UPDATE rollout SET state = ?, detail = ?, updated_at = ?, revision = revision + 1"
                  + " WHERE id = ? AND revision = ?")) {
            st.setString(1, state);
            st.setString(2, detail);
            st.setObject(3, utc(now));
            st.setLong(4, id);
            st.setLong(5, revision);
            return st.executeUpdate() == 1;
          }
        });
  }

  /**
   * Takes or renews the lease {@code name} for {@code holder} until {@code now + ttl}, if it is free,
   * expired, or already {@code holder}'s; returns whether {@code holder} holds it now. Of control planes
   * racing for a free lease, the row lock lets exactly one win.
   */
  public boolean lease(String name, String holder, Instant now, java.time.Duration ttl) {
    return db.transaction(
        c -> {
          String current = null;
          Instant expires = null;
          try (PreparedStatement st =
              c.prepareStatement("SELECT holder, expires_at FROM rollout_lease WHERE name = ? FOR UPDATE")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
              if (rs.next()) {
                current = rs.getString(1);
                expires = rs.getObject(2, OffsetDateTime.class).toInstant();
              }
            }
          }
          if (current == null) {
            try (PreparedStatement st =
                c.prepareStatement("INSERT INTO rollout_lease (name, holder, expires_at) VALUES (?, ?, ?)")) {
              st.setString(1, name);
              st.setString(2, holder);
              st.setObject(3, utc(now.plus(ttl)));
              st.executeUpdate();
            }
            return true;
          }
          if (!current.equals(holder) && expires.isAfter(now)) {
            return false;
          }
          try (PreparedStatement st =
              c.prepareStatement("UPDATE rollout_lease SET holder = ?, expires_at = ? WHERE name = ?")) {
            st.setString(1, holder);
            st.setObject(2, utc(now.plus(ttl)));
            st.setString(3, name);
            st.executeUpdate();
          }
          return true;
        });
  }

  /** Who holds the lease {@code name} at {@code now}; empty when no one does or it has run out. */
  public Optional<String> holder(String name, Instant now) {
    return db.read(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement("SELECT holder, expires_at FROM rollout_lease WHERE name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
              if (rs.next() && rs.getObject(2, OffsetDateTime.class).toInstant().isAfter(now)) {
                return Optional.of(rs.getString(1));
              }
              return Optional.empty();
            }
          }
        });
  }

  /** The rollouts of {@code namespace}, newest first. */
  public List<Row> of(String namespace) {
    Namespaces.check(namespace);
    return db.read(c -> select(c, "WHERE namespace = ? ORDER BY id DESC", namespace));
  }

  public Optional<Row> find(long id) {
    return db.read(c -> select(c, "WHERE id = ?", id).stream().findFirst());
  }

  /** Every running or paused rollout, oldest first. */
  public List<Row> active() {
    return db.read(c -> select(c, "WHERE state IN ('running', 'paused') ORDER BY id", null));
  }

  private static long nextId(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT COALESCE(MAX(id), 0) + 1 FROM rollout");
        ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<Row> select(Connection c, String where, Object arg) throws SQLException {
    List<Row> out = new ArrayList<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT id, namespace, service, state, revision, detail, created_at, updated_at FROM rollout " + where)) {
      if (arg != null) {
        st.setObject(1, arg);
      }
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
              rs.getString(6), rs.getObject(7, OffsetDateTime.class).toInstant(),
              rs.getObject(8, OffsetDateTime.class).toInstant()));
        }
      }
    }
    return out;
  }

  private static OffsetDateTime utc(Instant at) {
    return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
  }
}
