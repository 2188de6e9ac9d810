package dev.turnout.dtab;

import java.util.ArrayList;
import java.util.List;

/**
 * The left side of a dentry: a path whose elements may also be {@code *}, which matches exactly one
 * arbitrary label. {@code /} alone matches every path.
 */
public record Prefix(List<Elem> elems) {

  /** The empty prefix, {@code /}, which matches every path. */
  public static final Prefix EMPTY = new Prefix(List.of());

  /** One element of a prefix: a label that must match exactly, or the wildcard. */
  public sealed interface Elem permits Label, AnyElem {}

  /** Matches a path label equal to {@code bytes}. */
  public record Label(String bytes) implements Elem {
    public Label {
      Path.checkLabel(bytes);
    }
  }

  /** {@code *}: matches any one label. */
  public enum AnyElem implements Elem {
    ANY
  }

  public Prefix {
    elems = List.copyOf(elems);
  }

  /** A prefix with no wildcard, equal to {@code path}. */
  public static Prefix of(Path path) {
    List<Elem> elems = new ArrayList<>(path.size());
    for (String label : path.labels()) {
      elems.add(new Label(label));
    }
    return new Prefix(elems);
  }

  /** Parses a prefix in dtab syntax. */
  public static Prefix read(String text) {
    return DtabParser.parsePrefix(text);
  }

  public int size() {
    return elems.size();
  }

  /** True when every element matches the label at its position in {@code path}. */
  public boolean matches(Path path) {
    int n = elems.size();
    if (n > path.size()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      Elem e = elems.get(i);
      if (e instanceof Label l && !l.bytes().equals(path.label(i))) {
        return false;
      }
    }
    return true;
  }

  public String show() {
    if (elems.isEmpty()) {
      return "/";
    }
    StringBuilder out = new StringBuilder();
    for (Elem e : elems) {
      out.append('/');
      if (e instanceof Label l) {
        Path.appendLabel(out, l.bytes());
      } else {
        out.append('*');
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return show();
  }
}
