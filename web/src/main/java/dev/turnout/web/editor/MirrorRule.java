package dev.turnout.web.editor;

import dev.turnout.dtab.Path;

/**
 * A dark-traffic rule: copy {@code percent}% of the requests for names under {@code service} to {@code
 * destination}, whose answers are discarded. It is kept in the dtab text as a directive comment, {@code
 * #@mirror /svc/users => /#/io.l5d.fs/users-shadow 10%}, so it is versioned, diffed and rolled back with
 * the dtab while the dtab parser reads it as a comment.
 */
public record MirrorRule(Path service, Path destination, int percent) {
  public MirrorRule {
    if (service == null || destination == null) {
      throw new IllegalArgumentException("a mirror rule needs a service prefix and a destination");
    }
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("a mirror percentage is 0-100, not " + percent);
    }
  }

  /** The directive line, without its line break. */
  public String show() {
    return MirrorRules.DIRECTIVE + " " + service.show() + " => " + destination.show() + " " + percent + "%";
  }
}
