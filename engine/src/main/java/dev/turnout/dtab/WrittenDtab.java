package dev.turnout.dtab;

/**
 * A dtab as someone wrote it: the text exactly as written (comments, layout and {@code #@mirror}
 * directives kept, which the store keeps and {@code Accept: application/dtab} returns) together with
 * the {@link Dtab} it parses to. It is parsed once, where the text enters (the editor, the API, the
 * store reading a row), and the value is carried from there through the store to the routers, so no
 * later step parses the text again.
 *
 * <p>Invariant: {@code dtab()} equals {@code Dtab.read(text())}. It holds because the only way to make
 * one is to parse ({@link #read}), which is why this is a class with a private constructor rather than
 * a record, whose public constructor would accept any pair. Two are equal when their texts are.
 */
public final class WrittenDtab {
  /** The empty text, which is the empty dtab. */
  public static final WrittenDtab EMPTY = new WrittenDtab("", Dtab.EMPTY);

  private final String text;
  private final Dtab dtab;

  private WrittenDtab(String text, Dtab dtab) {
    this.text = text;
    this.dtab = dtab;
  }

  /**
   * Parses {@code text} once.
   *
   * @throws DtabParseException with the position of the first offending character
   * @throws IllegalArgumentException when {@code text} is null
   */
  public static WrittenDtab read(String text) {
    if (text == null) {
      throw new IllegalArgumentException("a dtab text is required");
    }
    return new WrittenDtab(text, Dtab.read(text));
  }

  /** The text as written. */
  public String text() {
    return text;
  }

  /** What the text parses to. */
  public Dtab dtab() {
    return dtab;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WrittenDtab w && w.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return "WrittenDtab[" + text + "]";
  }
}
