package dev.turnout.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet's latest reports, in the store's database so that every control plane sharing it sees the
 * whole fleet whichever one a process reports to. Each process has one row, replaced by its next
 * report; a row is removed only after its process has been silent for longer than the retention the
 * caller passes to {@link #forgetSilentSince}.
 */
public final class FleetTable {
  /** A process's last report: {@code report} is the JSON it sent, {@code reportedAt} when it arrived. */
  public record Row(String instance, String role, String admin, String reportedTo, String report, Instant reportedAt) {
    public Row {
      if (instance == null || instance.isBlank() || instance.length() > 128) {
        throw new StoreException.Invalid("an instance id must be 1-128 characters");
      }
      if (role == null || role.length() > 16 || admin == null || admin.length() > 300
          || reportedTo == null || reportedTo.length() > 300) {
        throw new StoreException.Invalid("a fleet report's role or addresses are too long");
      }
      if (report == null || report.length() > MAX_REPORT_CHARS) {
        throw new StoreException.Invalid("a fleet report must be at most " + MAX_REPORT_CHARS + " characters");
      }
    }
  }

  /** The largest report kept (a proxy with 1000 services and their clients fits well within it). */
  public static final int MAX_REPORT_CHARS = 4 * 1024 * 1024;

  private final Database db;

  FleetTable(Database db) {
    this.db = db;
  }

  /** Replaces {@code row.instance()}'s report. */
  public void put(Row row) {
    db.transaction(
        c -> {
          int updated;
          try (PreparedStatement st =
              c.prepareStatement(
                  "UPDATE fleet_instance SET role = ?, admin = ?, reported_to = ?, report = ?, reported_at = ?"
                      + " WHERE instance_id = ?")) {
            bind(st, row);
            updated = st.executeUpdate();
          }
          if (updated == 0) {
            try (PreparedStatement st =
                c.prepareStatement(
                    "INSERT INTO fleet_instance (role, admin, reported_to, report, reported_at, instance_id)"
                        + " VALUES (?, ?, ?, ?, ?, ?)")) {
              bind(st, row);
              st.executeUpdate();
            }
          }
          return null;
        });
  }

  private static void bind(PreparedStatement st, Row row) throws java.sql.SQLException {
    st.setString(1, row.role());
    st.setString(2, row.admin());
    st.setString(3, row.reportedTo());
    st.setString(4, row.report());
    st.setObject(5, OffsetDateTime.ofInstant(row.reportedAt(), ZoneOffset.UTC));
    st.setString(6, row.instance());
  }

  /** Every process's last report, by instance id. */
  public List<Row> all() {
    return db.read(
        c -> {
          List<Row> out = new ArrayList<>();
          try (PreparedStatement st =
                  c.prepareStatement(
                      "SELECT instance_id, role, admin, reported_to, report, reported_at FROM fleet_instance"
                          + " ORDER BY instance_id");
              ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                  rs.getObject(6, OffsetDateTime.class).toInstant()));
            }
          }
          return out;
        });
  }

  /** Removes the rows of processes silent since before {@code cutoff}; returns how many. */
  public int forgetSilentSince(Instant cutoff) {
    return db.transaction(
        c -> {
          try (PreparedStatement st = c.prepareStatement("DELETE FROM fleet_instance WHERE reported_at < ?")) {
            st.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
            return st.executeUpdate();
          }
        });
  }
}
