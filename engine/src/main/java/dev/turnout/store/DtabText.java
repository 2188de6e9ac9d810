package dev.turnout.store;

import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.WrittenDtab;

/**
 * The rules for a dtab text the store accepts: present, at most 1 MiB of UTF-8, parseable, and at most
 * {@link #MAX_DENTRIES} dentries. Real dtabs hold tens of rules; the bound keeps one commit from
 * making every later view of it (the editor, the history's diffs, every proxy's binding) grow without
 * limit: a 1 MiB dtab of short rules is 38,000 dentries.
 *
 * <p>{@link #read} is where a text bound for the store enters: it applies every rule, parsing the text
 * once, and the {@link WrittenDtab} it returns is what the store's writes take. The store checks the
 * rules that need no parsing again ({@link #check}), since a caller may have parsed the text itself.
 */
public final class DtabText {
  /** The largest dtab text accepted, in UTF-8 bytes (1 MiB). */
  static final int MAX_BYTES = 1 << 20;

  /** The most dentries a dtab may have. */
  static final int MAX_DENTRIES = 2_000;

  private DtabText() {}

  /**
   * The store's reading of {@code text}: a missing, NUL-holding, oversized, malformed or too long dtab
   * is refused with {@link StoreException.Invalid}, whose cause, for a malformed one, is the parser's
   * exception with its line and column.
   */
  public static WrittenDtab read(String text) {
    if (text == null) {
      throw new StoreException.Invalid("a dtab is required");
    }
    refuseNul("the dtab", text);
    refuseOversized(text);
    WrittenDtab written;
    try {
      written = WrittenDtab.read(text);
    } catch (DtabParseException e) {
      throw new StoreException.Invalid(
          "invalid dtab at line " + e.line() + ", column " + e.column() + ": " + e.getMessage(), e);
    }
    refuseTooManyDentries(written);
    return written;
  }

  /** The rules {@link #read} applies besides parsing, for a dtab parsed elsewhere. */
  static WrittenDtab check(WrittenDtab written) {
    if (written == null) {
      throw new StoreException.Invalid("a dtab is required");
    }
    refuseNul("the dtab", written.text());
    refuseOversized(written.text());
    refuseTooManyDentries(written);
    return written;
  }

  private static void refuseOversized(String text) {
    long bytes = utf8Length(text);
    if (bytes > MAX_BYTES) {
      throw new StoreException.Invalid(
          "the dtab is " + bytes + " bytes; the limit is " + MAX_BYTES + " (1 MiB)");
    }
  }

  private static void refuseTooManyDentries(WrittenDtab written) {
    int size = written.dtab().size();
    if (size > MAX_DENTRIES) {
      throw new StoreException.Invalid(
          "the dtab has " + size + " dentries; the limit is " + MAX_DENTRIES
              + " (split it across namespaces, or use broader prefixes)");
    }
  }

  /**
   * PostgreSQL's text cannot hold U+0000 (H2's can): a NUL is refused on both, so a write means the same
   * on either store, and is a 400 that names it instead of a database error.
   */
  static void refuseNul(String what, String text) {
    int at = text.indexOf('\0');
    if (at >= 0) {
      throw new StoreException.Invalid(what + " holds a NUL character (U+0000) at offset " + at + ", which the store cannot keep");
    }
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < 0x80) {
        n += 1;
      } else if (ch < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(ch)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
