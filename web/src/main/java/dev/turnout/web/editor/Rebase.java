package dev.turnout.web.editor;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.routing.MirrorRule;
import dev.turnout.web.routing.DentryDiff;
import java.util.List;

/**
 * Replays a draft's own changes (base to draft, dentry by dentry) onto the text someone else committed
 * meanwhile: a dentry the draft changed takes the draft's destination, one it added is appended, one it
 * removed is removed, and the draft's dark-traffic rules win if the draft changed them. Everything else,
 * including their comments, stays as they committed it.
 */
final class Rebase {
  private Rebase() {}

  static String onto(String baseText, String draftText, String theirText) {
    String out = theirText;
    for (DentryDiff.Line line : DentryDiff.between(baseText, draftText)) {
      if (line.prefix().equals(DentryDiff.DARK_TRAFFIC)) {
        continue;
      }
      int at = lastWithPrefix(out, line.prefix());
      switch (line.change()) {
        case "changed":
          NameTree<Path> dst = NameTree.read(line.after());
          out = at >= 0 ? DraftText.replaceDestination(out, at, dst) : append(out, line.prefix(), line.after());
          break;
        case "added":
          out = append(out, line.prefix(), line.after());
          break;
        case "removed":
          out = at >= 0 ? remove(out, at) : out;
          break;
        default:
          // a move: their order stands, the draft's reordering is not replayed
      }
    }
    List<MirrorRule> baseMirrors = MirrorRules.readLenient(baseText);
    List<MirrorRule> draftMirrors = MirrorRules.readLenient(draftText);
    if (!baseMirrors.equals(draftMirrors)) {
      out = MirrorRules.write(out, draftMirrors);
    }
    return out;
  }

  private static int lastWithPrefix(String text, String prefix) {
    List<Dentry> dentries = Dtab.read(text).dentries();
    for (int i = dentries.size() - 1; i >= 0; i--) {
      if (dentries.get(i).prefix().show().equals(prefix)) {
        return i;
      }
    }
    return -1;
  }

  private static String append(String text, String prefix, String dst) {
    List<DraftText.Span> spans = DraftText.spans(text);
    if (!spans.isEmpty()) {
      int end = spans.get(spans.size() - 1).dstEnd();
      if (text.indexOf(';', end) < 0) {
        text = text.substring(0, end) + ";" + text.substring(end);
      }
    }
    String sep = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
    return text + sep + prefix + " => " + dst + ";\n";
  }

  private static String remove(String text, int index) {
    DraftText.Span s = DraftText.checkedSpans(text).get(index);
    int semi = text.indexOf(';', s.dstEnd());
    int end = semi < 0 ? s.dstEnd() : semi + 1;
    if (end < text.length() && text.charAt(end) == '\n') {
      end++;
    }
    return text.substring(0, s.start()) + text.substring(end);
  }
}
