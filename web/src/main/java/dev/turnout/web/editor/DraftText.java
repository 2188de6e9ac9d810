package dev.turnout.web.editor;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each dentry sits in a dtab's text, so that the dashboard can rewrite one dentry's destination
 * (a slider, a canary) and leave every comment, directive and line break of the operator's text as it
 * was. It follows the lexical rules of dtab.md §1.5: {@code ;} separates dentries, and {@code #} starts
 * a comment to the end of the line only where whitespace could stand, that is not right after a path
 * character ({@code /#/io.l5d.fs} is a path, {@code /a #note} is a path and a comment).
 *
 * <p>Example: in {@code "# users\n/svc/users => /a; # old\n"} the one dentry's destination is the
 * {@code /a} at offsets 23-25, and replacing it with a canary union keeps both comments.
 */
public final class DraftText {

  /** One dentry's extent: from its first character to its last, and its destination within that. */
  public record Span(int start, int dstStart, int dstEnd) {}

  private DraftText() {}

  /** The spans of the dentries of {@code text}, in order; {@code text} must be a valid dtab. */
  static List<Span> spans(String text) {
    List<Span> out = new ArrayList<>();
    int start = -1;
    int arrow = -1;
    int dstStart = -1;
    int lastContent = -1;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        continue;
      }
      if (c == '#' && !afterPathChar(text, i)) {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (c == ';') {
        if (start >= 0) {
          out.add(new Span(start, dstStart < 0 ? lastContent + 1 : dstStart, lastContent + 1));
        }
        start = -1;
        arrow = -1;
        dstStart = -1;
        continue;
      }
      if (start < 0) {
        start = i;
      }
      if (arrow < 0 && c == '=' && i + 1 < n && text.charAt(i + 1) == '>') {
        arrow = i;
        i++;
        lastContent = i;
        continue;
      }
      if (arrow >= 0 && dstStart < 0) {
        dstStart = i;
      }
      lastContent = i;
    }
    if (start >= 0) {
      out.add(new Span(start, dstStart < 0 ? lastContent + 1 : dstStart, lastContent + 1));
    }
    return out;
  }

  /**
   * {@code text} with the destination of its {@code index}-th dentry replaced by {@code dst}.
   *
   * @throws IllegalArgumentException if {@code text} is not a valid dtab or has no such dentry
   */
  public static String replaceDestination(String text, int index, NameTree<Path> dst) {
    List<Span> spans = checkedSpans(text);
    if (index < 0 || index >= spans.size()) {
      throw new IllegalArgumentException("the dtab has no dentry " + (index + 1));
    }
    Span s = spans.get(index);
    return text.substring(0, s.dstStart()) + dst.show() + text.substring(s.dstEnd());
  }

  /** The spans of a valid dtab, checked against the parser's count of dentries. */
  public static List<Span> checkedSpans(String text) {
    Dtab dtab = Dtab.read(text);
    List<Span> spans = spans(text);
    if (spans.size() != dtab.size()) {
      throw new IllegalArgumentException(
          "could not find the " + dtab.size() + " dentries in the text (found " + spans.size() + ")");
    }
    return spans;
  }

  private static boolean afterPathChar(String text, int i) {
    if (i == 0) {
      return false;
    }
    char p = text.charAt(i - 1);
    return p == '/' || p == '\\' || isLabelChar(p);
  }

  private static boolean isLabelChar(char c) {
    return (c >= '0' && c <= '9')
        || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || c == '_' || c == ':' || c == '.' || c == '#' || c == '$' || c == '%' || c == '-';
  }
}
