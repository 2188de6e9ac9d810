package dev.turnout.dtab;

import java.util.ArrayList;
import java.util.List;

/**
 * A delegation table: an ordered list of dentries. <b>The later dentry wins</b>: {@link #lookup(Path)}
 * tries dentries from last to first, with no longest-prefix rule, and binding falls back to earlier
 * dentries only when later ones come to nothing (Neg). Composition is concatenation: {@code
 * base.concat(local)} lets {@code local} override {@code base}.
 *
 * <p>Example: with {@code /svc => /#/io.l5d.fs; /svc/users => /#/io.l5d.fs/users-v2}, the name {@code
 * /svc/users/api} looks up to {@code /#/io.l5d.fs/users-v2/api | /#/io.l5d.fs/users/api}.
 */
public record Dtab(List<Dentry> dentries) {

  public static final Dtab EMPTY = new Dtab(List.of());

  public Dtab {
    dentries = List.copyOf(dentries);
  }

  /**
   * Parses a dtab: dentries separated by {@code ;}, one trailing {@code ;} allowed, {@code #} comments
   * where whitespace may stand. Newlines do not separate dentries.
   *
   * @throws DtabParseException with the position of the first offending character
   */
  public static Dtab read(String text) {
    return DtabParser.parseDtab(text);
  }

  public int size() {
    return dentries.size();
  }

  public boolean isEmpty() {
    return dentries.isEmpty();
  }

  /** This dtab followed by {@code other}, whose dentries therefore take precedence. */
  public Dtab concat(Dtab other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    List<Dentry> all = new ArrayList<>(dentries.size() + other.dentries.size());
    all.addAll(dentries);
    all.addAll(other.dentries);
    return new Dtab(all);
  }

  /**
   * One delegation step. Every dentry whose prefix matches {@code path} contributes its destination
   * with the unmatched rest of {@code path} appended to each leaf; the matches are returned last dentry
   * first: none is Neg, one is that tree, several are an Alt.
   */
  public NameTree<Path> lookup(Path path) {
    List<NameTree<Path>> matches = null;
    for (int i = dentries.size() - 1; i >= 0; i--) {
      Dentry d = dentries.get(i);
      if (d.prefix().matches(path)) {
        Path rest = path.drop(d.prefix().size());
        NameTree<Path> dst = rest.isEmpty() ? d.dst() : d.dst().map(p -> p.concat(rest));
        if (matches == null) {
          matches = new ArrayList<>(2);
        }
        matches.add(dst);
      }
    }
    if (matches == null) {
      return NameTree.neg();
    }
    return matches.size() == 1 ? matches.get(0) : new NameTree.Alt<>(matches);
  }

  /** The canonical text: dentries as {@code prefix=>tree} joined by {@code ;}. */
  public String show() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < dentries.size(); i++) {
      if (i > 0) {
        out.append(';');
      }
      out.append(dentries.get(i).show());
    }
    return out.toString();
  }

  /** One dentry a line, each ending in {@code ;}: the form {@code turnout dtab fmt} prints. */
  public String showLines() {
    StringBuilder out = new StringBuilder();
    for (Dentry d : dentries) {
      out.append(d.prefix().show()).append(" => ").append(d.dst().show()).append(";\n");
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return show();
  }
}
