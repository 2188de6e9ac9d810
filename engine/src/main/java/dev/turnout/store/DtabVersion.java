package dev.turnout.store;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.WrittenDtab;
import java.time.Instant;

/**
 * One committed version of a namespace's dtab. Versions are numbered from 1 per namespace and never
 * change once written. {@code written} is the dtab exactly as written (comments and layout kept) with
 * its parsed form, parsed once where the text entered. {@code etag} is the opaque string namerd clients
 * compare for equality. {@code deleted} marks the version that recorded the namespace's deletion (its
 * text is empty).
 */
public record DtabVersion(
    String namespace,
    long version,
    String etag,
    WrittenDtab written,
    String author,
    String comment,
    Instant createdAt,
    boolean deleted) {

  public DtabVersion {
    if (written == null) {
      throw new IllegalArgumentException("a version needs its dtab (empty for a deletion)");
    }
  }

  /** The dtab text exactly as written. */
  public String text() {
    return written.text();
  }

  /** The dtab the text parses to. */
  public Dtab dtab() {
    return written.dtab();
  }
}
