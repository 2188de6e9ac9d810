package dev.turnout.web.editor;

import dev.turnout.web.routing.DentryDiff;
import java.util.List;

/**
 * Someone committed version {@code theirVersion} after the draft started from {@code baseVersion}: who,
 * why, and what their change did, dentry by dentry, with the draft and the text it started from. The operator rebases the draft onto it or discards
 * the draft; nothing is overwritten unseen.
 */
public record Conflict(
    String namespace,
    long baseVersion,
    long theirVersion,
    String theirEtag,
    String author,
    String comment,
    String at,
    List<DentryDiff.Line> theirChange,
    String draftText,
    String draftComment,
    String baseText) {

  public Conflict {
    theirChange = List.copyOf(theirChange);
  }
}
