package dev.turnout.web.editor;

import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the {@code #@mirror} directive lines of a dtab text. Writing replaces the old
 * directives where the first of them stood (at the top when there were none) and touches no other line.
 */
final class MirrorRules {
  static final String DIRECTIVE = "#@mirror";

  private static final Pattern LINE =
      Pattern.compile("^\\s*#@mirror\\s+(\\S+)\\s*=>\\s*(\\S+)\\s+(\\d{1,3})\\s*%\\s*$");

  private MirrorRules() {}

  /** The well-formed directives of {@code text}, in order; a malformed one is skipped. */
  static List<MirrorRule> read(String text) {
    List<MirrorRule> out = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        try {
          out.add(
              new MirrorRule(
                  Path.read(m.group(1)), Path.read(m.group(2)), Integer.parseInt(m.group(3))));
        } catch (IllegalArgumentException malformed) {
          // a directive the proxy would not read either; the editor shows the raw line in the text
        }
      }
    }
    return List.copyOf(out);
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
}
