package dev.turnout.dtab;

/**
 * One delegation rule, {@code prefix => dst}: a path that starts with {@code prefix} is rewritten to
 * {@code dst}, each leaf of which gets the rest of the path appended.
 */
public record Dentry(Prefix prefix, NameTree<Path> dst) {

  public Dentry {
    if (prefix == null || dst == null) {
      throw new IllegalArgumentException("a dentry needs a prefix and a destination");
    }
  }

  /** Parses one dentry, {@code prefix => tree}. */
  public static Dentry read(String text) {
    return DtabParser.parseDentry(text);
  }

  /** The canonical text, {@code prefix=>tree} with no spaces around {@code =>}. */
  public String show() {
    return prefix.show() + "=>" + dst.show();
  }

  @Override
  public String toString() {
    return show();
  }
}
