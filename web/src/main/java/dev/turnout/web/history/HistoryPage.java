package dev.turnout.web.history;

import dev.turnout.web.Chrome;
import dev.turnout.web.routing.DentryDiff;
import java.util.List;

/** A namespace's versions, newest first, each with its diff to the one before; and a notice to show. */
public record HistoryPage(
    Chrome chrome, String namespace, String currentEtag, long currentVersion, List<Row> rows, String notice) {

  public HistoryPage {
    rows = List.copyOf(rows);
  }

  /** One version: number, author, time, comment, whether it recorded a deletion, its diff. */
  public record Row(
      long version, String author, String at, String comment, boolean deleted, List<DentryDiff.Line> diff) {
    public Row {
      diff = List.copyOf(diff);
    }
  }
}
