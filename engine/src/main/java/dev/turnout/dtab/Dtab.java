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
public final class Dtab {

  public static final Dtab EMPTY = new Dtab(List.of());

  /** Lookups a dtab serves before it indexes its dentries: per-request dtabs stay on the plain scan. */
  static final int INDEX_AFTER_LOOKUPS = 8;

  private final List<Dentry> dentries;
  /** Counts lookups until the index is built; racy on purpose, as any count past the limit will do. */
  private int lookups;

  private volatile DentryIndex index;

  public Dtab(List<Dentry> dentries) {
    this.dentries = List.copyOf(dentries);
  }

  /** The dentries, first to last (the last is tried first). */
  public List<Dentry> dentries() {
    return dentries;
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
    DentryIndex idx = index();
    if (idx != null) {
      for (int i : idx.candidates(path)) {
        matches = match(dentries.get(i), path, matches);
      }
    } else {
      for (int i = dentries.size() - 1; i >= 0; i--) {
        matches = match(dentries.get(i), path, matches);
      }
    }
    if (matches == null) {
      return NameTree.neg();
    }
    return matches.size() == 1 ? matches.get(0) : new NameTree.Alt<>(matches);
  }

  /** {@code matches} with {@code d}'s rewrite of {@code path} added when its prefix matches. */
  private static List<NameTree<Path>> match(Dentry d, Path path, List<NameTree<Path>> matches) {
    if (!d.prefix().matches(path)) {
      return matches;
    }
    Path rest = path.drop(d.prefix().size());
    NameTree<Path> dst = rest.isEmpty() ? d.dst() : d.dst().map(p -> p.concat(rest));
    List<NameTree<Path>> out = matches != null ? matches : new ArrayList<>(2);
    out.add(dst);
    return out;
  }

  /** The index once this dtab has proved to be reused, else null. */
  private DentryIndex index() {
    DentryIndex idx = index;
    if (idx != null || dentries.size() < DentryIndex.WORTH_IT) {
      return idx;
    }
    if (++lookups < INDEX_AFTER_LOOKUPS) {
      return null;
    }
    idx = DentryIndex.of(dentries);
    index = idx;
    return idx;
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
  public boolean equals(Object o) {
    return o == this || (o instanceof Dtab d && dentries.equals(d.dentries));
  }

  @Override
  public int hashCode() {
    return dentries.hashCode();
  }

  @Override
  public String toString() {
    return show();
  }
}
