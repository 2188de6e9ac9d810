package dev.turnout.dtab;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A hierarchical name: a sequence of non-empty labels, written {@code /a/b/c}. {@code /} alone is the
 * empty path.
 *
 * <p>Labels are byte strings, as in Finagle. Each label is held as a {@link String} whose chars are
 * the label's bytes (0-255, one char per byte), so comparison is exact and case-sensitive and a label
 * written with {@code \xHH} escapes keeps the very bytes it names. Use {@link #utf8(String...)} to make a
 * path from ordinary text (a Host header, say): it stores the text's UTF-8 bytes.
 *
 * <p>{@link #show()} is the canonical text: a label made only of label chars ({@code 0-9 A-Z a-z _ : .
 * # $ % -}) prints as is, any other label prints entirely as {@code \xHH} per byte, so {@code
 * Path.read(p.show())} equals {@code p}.
 */
public final class Path implements Comparable<Path> {

  /** The empty path, {@code /}. */
  public static final Path EMPTY = new Path(new String[0]);

  private final List<String> labels;
  /** Cached: paths are hashed on every binding-cache lookup. */
  private int hash;

  /**
   * A path of these labels, each a non-empty byte string (one char per byte).
   *
   * @throws IllegalArgumentException for an empty label or a char above {@code U+00FF}
   */
  public Path(List<String> labels) {
    this.labels = List.copyOf(labels);
    for (String label : this.labels) {
      checkLabel(label);
    }
  }

  /** Trusted: {@code labels} are valid and the array is not shared. */
  private Path(String[] labels) {
    this.labels = Collections.unmodifiableList(Arrays.asList(labels));
  }

  /** For the parser, whose labels are valid by construction. */
  static Path trusted(List<String> labels) {
    return labels.isEmpty() ? EMPTY : new Path(labels.toArray(new String[0]));
  }

  /** The labels, as byte strings (one char per byte). */
  public List<String> labels() {
    return labels;
  }


  /** A path of labels given as byte strings (one char per byte). */
  public static Path of(String... labels) {
    return new Path(Arrays.asList(labels));
  }

  /** A path whose labels are the UTF-8 encodings of the given texts. */
  public static Path utf8(String... texts) {
    List<String> labels = new ArrayList<>(texts.length);
    for (String text : texts) {
      labels.add(new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }
    return new Path(labels);
  }

  /**
   * Parses a path in dtab syntax; surrounding whitespace is allowed.
   *
   * @throws DtabParseException with the position of the first offending character
   */
  public static Path read(String text) {
    return DtabParser.parsePath(text);
  }

  static void checkLabel(String label) {
    if (label.isEmpty()) {
      throw new IllegalArgumentException("a path label must not be empty");
    }
    for (int i = 0; i < label.length(); i++) {
      if (label.charAt(i) > 0xFF) {
        throw new IllegalArgumentException(
            "a path label holds bytes; char U+" + Integer.toHexString(label.charAt(i)) + " is not one");
      }
    }
  }

  /** True for the characters a label may show unescaped. */
  static boolean isLabelChar(int c) {
    return (c >= '0' && c <= '9')
        || (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || c == '_'
        || c == ':'
        || c == '.'
        || c == '#'
        || c == '$'
        || c == '%'
        || c == '-';
  }

  public int size() {
    return labels.size();
  }

  public boolean isEmpty() {
    return labels.isEmpty();
  }

  public String label(int i) {
    return labels.get(i);
  }

  /** The label as text, decoding its bytes as UTF-8. */
  public String labelText(int i) {
    return new String(labels.get(i).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  public boolean startsWith(Path prefix) {
    int n = prefix.labels.size();
    if (n > labels.size()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (!labels.get(i).equals(prefix.labels.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** This path without its first {@code n} labels. */
  public Path drop(int n) {
    if (n <= 0) {
      return this;
    }
    int size = labels.size();
    if (n >= size) {
      return EMPTY;
    }
    String[] rest = new String[size - n];
    for (int i = n; i < size; i++) {
      rest[i - n] = labels.get(i);
    }
    return new Path(rest);
  }

  /** The first {@code n} labels of this path. */
  public Path take(int n) {
    if (n >= labels.size()) {
      return this;
    }
    if (n <= 0) {
      return EMPTY;
    }
    String[] first = new String[n];
    for (int i = 0; i < n; i++) {
      first[i] = labels.get(i);
    }
    return new Path(first);
  }

  /** This path followed by {@code suffix}. */
  public Path concat(Path suffix) {
    if (suffix.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return suffix;
    }
    int a = labels.size();
    int b = suffix.labels.size();
    String[] all = new String[a + b];
    for (int i = 0; i < a; i++) {
      all[i] = labels.get(i);
    }
    for (int i = 0; i < b; i++) {
      all[a + i] = suffix.labels.get(i);
    }
    return new Path(all);
  }

  /** The canonical text of this path. */
  public String show() {
    if (labels.isEmpty()) {
      return "/";
    }
    StringBuilder out = new StringBuilder();
    for (String label : labels) {
      out.append('/');
      appendLabel(out, label);
    }
    return out.toString();
  }

  static void appendLabel(StringBuilder out, String label) {
    boolean plain = true;
    for (int i = 0; i < label.length() && plain; i++) {
      plain = isLabelChar(label.charAt(i));
    }
    if (plain) {
      out.append(label);
      return;
    }
    for (int i = 0; i < label.length(); i++) {
      int b = label.charAt(i);
      out.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
    }
  }

  @Override
  public int compareTo(Path other) {
    int n = Math.min(labels.size(), other.labels.size());
    for (int i = 0; i < n; i++) {
      int c = labels.get(i).compareTo(other.labels.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(labels.size(), other.labels.size());
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Path p && hashCode() == p.hashCode() && labels.equals(p.labels));
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = labels.hashCode();
      hash = h == 0 ? 1 : h;
    }
    return hash;
  }

  @Override
  public String toString() {
    return show();
  }
}
