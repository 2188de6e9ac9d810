package dev.turnout.dtab;

import java.util.ArrayList;
import java.util.List;

/**
 * The one parser of dtab syntax: a hand-written recursive descent over this grammar (Finagle's, whose
 * behaviour and error messages it reproduces).
 *
 * <pre>
 * dtab     ::= [ dentry ] ( ';' [ dentry ] )*    -- an empty dentry only at the very end
 * dentry   ::= prefix '=>' tree                   -- '=' and '>' adjacent
 * prefix   ::= '/' | ( '/' ( label | '*' ) )+
 * tree     ::= union ( '|' union )*               -- two or more: Alt
 * union    ::= weighted ( '&' weighted )*         -- two or more: Union; one: its tree, weight dropped
 * weighted ::= [ number '*' ] simple
 * simple   ::= '(' tree ')' | path | '!' | '~' | '$'
 * path     ::= '/' | ( '/' label )+
 * label    ::= ( labelchar | '\x' hex hex )+      -- labelchar: 0-9 A-Z a-z _ : . # $ % -
 * number   ::= [0-9.]+                            -- at most one '.', not '.' alone
 * </pre>
 *
 * Whitespace may stand between tokens, and a {@code #} where whitespace may stand starts a comment that
 * runs to the end of the line ({@code /b#c} is the label {@code b#c}).
 */
final class DtabParser {
  private static final int END = -1;
  /** Deeper parentheses than this are refused rather than risk the stack. */
  static final int MAX_NESTING = 200;
  /** Inputs longer than this are shown around the error position only. */
  private static final int MAX_SHOWN = 256;

  private static final int SHOWN_CONTEXT = 60;

  private final String in;
  private int pos;
  private int depth;

  private DtabParser(String in) {
    this.in = in;
  }

  static Path parsePath(String text) {
    DtabParser p = new DtabParser(text);
    Path path = p.path();
    p.end();
    return path;
  }

  static Prefix parsePrefix(String text) {
    DtabParser p = new DtabParser(text);
    Prefix prefix = p.prefix();
    p.end();
    return prefix;
  }

  static NameTree<Path> parseTree(String text) {
    DtabParser p = new DtabParser(text);
    NameTree<Path> tree = p.tree();
    p.end();
    return tree;
  }

  static Dentry parseDentry(String text) {
    DtabParser p = new DtabParser(text);
    Dentry dentry = p.dentry();
    p.end();
    return dentry;
  }

  static Dtab parseDtab(String text) {
    DtabParser p = new DtabParser(text);
    List<Dentry> dentries = new ArrayList<>();
    do {
      p.skipSpace();
      if (!p.atEnd()) {
        dentries.add(p.dentry());
        p.skipSpace();
      }
    } while (p.accept(';'));
    p.end();
    return new Dtab(dentries);
  }

  // ---- tokens

  private boolean atEnd() {
    return pos >= in.length();
  }

  private int peek() {
    return atEnd() ? END : in.charAt(pos);
  }

  private boolean accept(char c) {
    if (peek() != c) {
      return false;
    }
    pos++;
    return true;
  }

  private void expect(char c) {
    if (!accept(c)) {
      throw error(quote(c), found());
    }
  }

  private void end() {
    skipSpace();
    if (!atEnd()) {
      throw error("end of input", found());
    }
  }

  private void skipSpace() {
    while (!atEnd()) {
      char c = in.charAt(pos);
      if (c == '#') {
        int nl = in.indexOf('\n', pos);
        pos = nl < 0 ? in.length() : nl + 1;
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else {
        return;
      }
    }
  }

  // ---- productions

  private Dentry dentry() {
    Prefix prefix = prefix();
    skipSpace();
    expect('=');
    expect('>');
    return new Dentry(prefix, tree());
  }

  private Prefix prefix() {
    skipSpace();
    expect('/');
    if (!startsLabel(peek()) && peek() != '*') {
      return Prefix.EMPTY;
    }
    List<Prefix.Elem> elems = new ArrayList<>();
    do {
      if (accept('*')) {
        elems.add(Prefix.AnyElem.ANY);
      } else {
        elems.add(new Prefix.Label(label()));
      }
    } while (accept('/'));
    return new Prefix(elems);
  }

  private Path path() {
    skipSpace();
    expect('/');
    if (!startsLabel(peek())) {
      return Path.EMPTY;
    }
    List<String> labels = new ArrayList<>();
    do {
      labels.add(label());
    } while (accept('/'));
    return Path.trusted(labels);
  }

  private static boolean startsLabel(int c) {
    return c != END && (Path.isLabelChar(c) || c == '\\');
  }

  private String label() {
    int start = pos;
    while (pos < in.length() && Path.isLabelChar(in.charAt(pos))) {
      pos++;
    }
    if (peek() != '\\') {
      if (pos == start) {
        throw error("label char", found());
      }
      return in.substring(start, pos);
    }
    StringBuilder bytes = new StringBuilder(in.substring(start, pos));
    do {
      int c = peek();
      if (c != END && Path.isLabelChar(c)) {
        pos++;
        bytes.append((char) c);
      } else if (c == '\\') {
        pos++;
        expect('x');
        int hi = hexDigit();
        int lo = hexDigit();
        bytes.append((char) (hi << 4 | lo));
      } else {
        throw error("label char", found());
      }
    } while (startsLabel(peek()));
    return bytes.toString();
  }

  private int hexDigit() {
    int c = peek();
    int d = c == END ? -1 : Character.digit(c, 16);
    if (d < 0 || c > 'f') {
      throw error("hex char", found());
    }
    pos++;
    return d;
  }

  private NameTree<Path> tree() {
    NameTree<Path> first = union();
    skipSpace();
    if (!accept('|')) {
      return first;
    }
    List<NameTree<Path>> alts = new ArrayList<>(4);
    alts.add(first);
    do {
      alts.add(union());
      skipSpace();
    } while (accept('|'));
    return new NameTree.Alt<>(alts);
  }

  /** A lone weighted term is its tree, weight dropped, so no Weighted is built for it. */
  private NameTree<Path> union() {
    skipSpace();
    double weight = weight();
    NameTree<Path> first = simple();
    skipSpace();
    if (!accept('&')) {
      return first;
    }
    List<NameTree.Weighted<Path>> branches = new ArrayList<>(4);
    branches.add(new NameTree.Weighted<>(weight, first));
    do {
      branches.add(weighted());
      skipSpace();
    } while (accept('&'));
    return new NameTree.Union<>(branches);
  }

  private NameTree.Weighted<Path> weighted() {
    skipSpace();
    double weight = weight();
    return new NameTree.Weighted<>(weight, simple());
  }

  /** {@code [ number '*' ]}: the weight written before a term, or the default. */
  private double weight() {
    if (!isNumberChar(peek())) {
      return NameTree.DEFAULT_WEIGHT;
    }
    double weight = number();
    skipSpace();
    expect('*');
    skipSpace();
    return weight;
  }

  private static boolean isNumberChar(int c) {
    return (c >= '0' && c <= '9') || c == '.';
  }

  private double number() {
    int start = pos;
    boolean dot = false;
    while (isNumberChar(peek())) {
      if (peek() == '.') {
        if (dot) {
          throw error("number char", found());
        }
        dot = true;
      }
      pos++;
    }
    String digits = in.substring(start, pos);
    if (digits.equals(".")) {
      throw error("weight", "'.'");
    }
    double weight = Double.parseDouble(digits);
    if (Double.isInfinite(weight)) {
      throw error("weight", "'" + shorten(digits) + "'");
    }
    return weight;
  }

  private NameTree<Path> simple() {
    skipSpace();
    int c = peek();
    switch (c) {
      case '(':
        if (depth >= MAX_NESTING) {
          throw error("at most " + MAX_NESTING + " nested parentheses", found());
        }
        pos++;
        depth++;
        NameTree<Path> inner = tree();
        skipSpace();
        expect(')');
        depth--;
        return inner;
      case '/':
        return new NameTree.Leaf<>(path());
      case '!':
        pos++;
        return NameTree.fail();
      case '~':
        pos++;
        return NameTree.neg();
      case '$':
        pos++;
        return NameTree.empty();
      default:
        throw error("simple", found());
    }
  }

  // ---- errors

  private String found() {
    int c = peek();
    return c == END ? "end of input" : quote((char) c);
  }

  private static String quote(char c) {
    return "'" + c + "'";
  }

  private static String shorten(String s) {
    return s.length() <= 20 ? s : s.substring(0, 20) + "...";
  }

  private DtabParseException error(String expected, String found) {
    String shown;
    if (in.length() <= MAX_SHOWN) {
      shown = atEnd() ? in + "[]" : in.substring(0, pos) + "[" + in.charAt(pos) + "]" + in.substring(pos + 1);
    } else {
      int from = Math.max(0, pos - SHOWN_CONTEXT);
      int to = Math.min(in.length(), pos + 1 + SHOWN_CONTEXT);
      String before = (from > 0 ? "..." : "") + in.substring(from, Math.min(pos, in.length()));
      String at = atEnd() ? "[]" : "[" + in.charAt(pos) + "]";
      String after = atEnd() ? "" : in.substring(pos + 1, to) + (to < in.length() ? "..." : "");
      shown = before + at + after;
    }
    int line = 1;
    int lineStart = 0;
    int limit = Math.min(pos, in.length());
    for (int i = 0; i < limit; i++) {
      if (in.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new DtabParseException(
        expected + " expected but " + found + " found at '" + shown + "'", pos, line, pos - lineStart + 1);
  }
}
