package dev.turnout.web.routing;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.DtabDiff;
import dev.turnout.routing.MirrorRule;
import java.util.ArrayList;
import java.util.List;

/**
 * What changed between two dtab texts as the dashboard shows it: the dentry-level {@link DtabDiff}
 * (added, removed, changed, moved) and then the dark-traffic directives added or removed, which live in
 * comments and so are invisible to the dtab itself. Layout and other comments do not count.
 */
public final class DentryDiff {
  /** The prefix column of a line about a {@code #@mirror} directive. */
  public static final String DARK_TRAFFIC = "dark traffic";

  private DentryDiff() {}

  /** One line of a diff: what happened ({@link DtabDiff.Change#kind()}), to which prefix, before and after. */
  public record Line(String change, String prefix, String before, String after) {}

  /** @throws dev.turnout.dtab.DtabParseException when either text is not a dtab */
  public static List<Line> between(String fromText, String toText) {
    List<Line> out = new ArrayList<>();
    for (DtabDiff.Change c : DtabDiff.between(Dtab.read(fromText), Dtab.read(toText)).changes()) {
      if (c instanceof DtabDiff.Added a) {
        out.add(new Line(c.kind(), prefix(a.dentry()), "", a.dentry().dst().show()));
      } else if (c instanceof DtabDiff.Removed r) {
        out.add(new Line(c.kind(), prefix(r.dentry()), r.dentry().dst().show(), ""));
      } else if (c instanceof DtabDiff.Changed ch) {
        out.add(new Line(c.kind(), prefix(ch.to()), ch.from().dst().show(), ch.to().dst().show()));
      } else if (c instanceof DtabDiff.Moved m) {
        out.add(new Line(c.kind(), prefix(m.dentry()),
            "dentry " + (m.fromIndex() + 1), "dentry " + (m.toIndex() + 1) + ": " + m.dentry().dst().show()));
      }
    }
    List<MirrorRule> before = darkTraffic(fromText);
    List<MirrorRule> after = darkTraffic(toText);
    for (MirrorRule r : after) {
      if (!before.contains(r)) {
        out.add(new Line("added", DARK_TRAFFIC, "", r.show()));
      }
    }
    for (MirrorRule r : before) {
      if (!after.contains(r)) {
        out.add(new Line("removed", DARK_TRAFFIC, r.show(), ""));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The {@code #@mirror} directives of {@code text}, or none when one of them is malformed: a diff
   * still shows the dentries, and the editor's validation reports the bad directive.
   */
  public static List<MirrorRule> darkTraffic(String text) {
    try {
      return MirrorRule.parseAll(text);
    } catch (IllegalArgumentException malformed) {
      return List.of();
    }
  }

  private static String prefix(Dentry d) {
    return d.prefix().show();
  }
}
