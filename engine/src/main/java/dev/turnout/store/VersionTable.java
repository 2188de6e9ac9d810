package dev.turnout.store;

import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.WrittenDtab;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of the dtab history (schema in {@code db/migration}): the {@code namespace} table, one row
 * per namespace ever created, and the append-only {@code dtab_version} table. Every method runs on
 * the caller's connection, inside the caller's transaction.
 */
final class VersionTable {
  private VersionTable() {}

  /** A namespace's row: its latest version (a deletion included) and whether it is deleted. */
  record NamespaceRow(long latest, boolean deleted) {}

  /** Reads and locks the namespace's row until the transaction ends; empty if it never existed. */
  static Optional<NamespaceRow> lock(Connection c, String namespace) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT latest_version, deleted FROM namespace WHERE name = ? FOR UPDATE")) {
      st.setString(1, namespace);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next()
            ? Optional.of(new NamespaceRow(rs.getLong(1), rs.getBoolean(2)))
            : Optional.empty();
      }
    }
  }

  static void writeNamespace(
      Connection c, String namespace, boolean rowExists, long latest, boolean deleted)
      throws SQLException {
    String sql =
        rowExists
            ? "UPDATE namespace SET latest_version = ?, deleted = ? WHERE name = ?"
            : "INSERT INTO namespace (latest_version, deleted, name) VALUES (?, ?, ?)";
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setLong(1, latest);
      st.setBoolean(2, deleted);
      st.setString(3, namespace);
      st.executeUpdate();
    }
  }

  /** Appends a version; the primary key refuses a second writer of the same number. */
  static void insert(Connection c, DtabVersion v) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO dtab_version (namespace, version, dtab_text, canonical, author, comment,"
                + " created_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      st.setString(1, v.namespace());
      st.setLong(2, v.version());
      st.setString(3, v.text());
      st.setString(4, v.dtab().show());
      st.setString(5, v.author());
      st.setString(6, v.comment());
      st.setObject(7, OffsetDateTime.ofInstant(v.createdAt(), ZoneOffset.UTC));
      st.setBoolean(8, v.deleted());
      st.executeUpdate();
    }
  }

  static Optional<DtabVersion> current(Connection c, String namespace)
      throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT v.* FROM namespace n JOIN dtab_version v"
                + " ON v.namespace = n.name AND v.version = n.latest_version"
                + " WHERE n.name = ? AND NOT n.deleted")) {
      st.setString(1, namespace);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(toVersion(rs)) : Optional.empty();
      }
    }
  }

  static Optional<DtabVersion> find(Connection c, String namespace, long version)
      throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement("SELECT * FROM dtab_version WHERE namespace = ? AND version = ?")) {
      st.setString(1, namespace);
      st.setLong(2, version);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(toVersion(rs)) : Optional.empty();
      }
    }
  }

  private static DtabVersion toVersion(ResultSet rs) throws SQLException {
    String namespace = rs.getString("namespace");
    long version = rs.getLong("version");
    String text = rs.getString("dtab_text");
    boolean deleted = rs.getBoolean("deleted");
    return new DtabVersion(
        namespace,
        version,
        ETags.of(version),
        deleted ? WrittenDtab.EMPTY : storedDtab(namespace, version, text),
        rs.getString("author"),
        rs.getString("comment"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        deleted);
  }

  /** Parses a stored text; it parsed when it was written, so failing now means the parser changed. */
  private static WrittenDtab storedDtab(String namespace, long version, String text) {
    try {
      return WrittenDtab.read(text);
    } catch (DtabParseException e) {
      throw new StoreException(
          "version " + version + " of '" + namespace + "' no longer parses: " + e.located(), e);
    }
  }

  /** Every namespace's row, by name: what a change feed compares with what it has delivered. */
  static java.util.Map<String, NamespaceRow> rows(Connection c) throws SQLException {
    java.util.Map<String, NamespaceRow> out = new java.util.HashMap<>();
    try (PreparedStatement st = c.prepareStatement("SELECT name, latest_version, deleted FROM namespace");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), new NamespaceRow(rs.getLong(2), rs.getBoolean(3)));
      }
    }
    return out;
  }

  /** The versions after {@code version}, oldest first. */
  static List<DtabVersion> after(Connection c, String namespace, long version) throws SQLException {
    List<DtabVersion> out = new ArrayList<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT * FROM dtab_version WHERE namespace = ? AND version > ? ORDER BY version")) {
      st.setString(1, namespace);
      st.setLong(2, version);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(toVersion(rs));
        }
      }
    }
    return out;
  }

  static List<String> liveNamespaces(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement("SELECT name FROM namespace WHERE NOT deleted");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** Every version, newest first. */
  static List<DtabVersion> history(Connection c, String namespace) throws SQLException {
    List<DtabVersion> out = new ArrayList<>();
    try (PreparedStatement st =
        c.prepareStatement("SELECT * FROM dtab_version WHERE namespace = ? ORDER BY version DESC")) {
      st.setString(1, namespace);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(toVersion(rs));
        }
      }
    }
    return List.copyOf(out);
  }
}
