package dev.turnout.web.editor;

import dev.turnout.routing.MirrorRule;
import dev.turnout.web.routing.DentryDiff;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites the {@code #@mirror} directive lines of a dtab text (read by the proxy's {@link
 * MirrorRule#parseAll}). Writing replaces the old directives where the first of them stood (at the top
 * when there were none) and touches no other line.
 */
final class MirrorRules {
  private static final String DIRECTIVE = "#@mirror";

  private MirrorRules() {}

  /** The directives of {@code text}, or none when one of them is malformed (validation reports that). */
  static List<MirrorRule> readLenient(String text) {
    return DentryDiff.darkTraffic(text);
  }

  /** {@code text} with its directives replaced by {@code rules}. */
  static String write(String text, List<MirrorRule> rules) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    int at = -1;
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).stripLeading().startsWith(DIRECTIVE)) {
        lines.remove(i);
        at = i;
      }
    }
    if (at < 0) {
      at = 0;
    }
    List<String> directives = new ArrayList<>();
    for (MirrorRule r : rules) {
      directives.add(r.show());
    }
    lines.addAll(at, directives);
    return String.join("\n", lines);
  }

  /** A percentage as the form shows it: {@code 10}, or {@code 2.5}. */
  static String percent(MirrorRule r) {
    double p = r.percent();
    return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
  }
}
