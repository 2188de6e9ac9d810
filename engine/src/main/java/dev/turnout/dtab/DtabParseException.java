package dev.turnout.dtab;

/**
 * Input that is not valid dtab syntax. The message follows Finagle's form, {@code '=' expected but 'b'
 * found at '/foo/*[b]ar/baz => !'}: what was expected, what was found, and the input with the offending
 * character in brackets ({@code []} at the end for end of input). {@link #line()} and {@link #column()}
 * (both from 1) and {@link #offset()} (from 0, in chars) say where.
 */
public final class DtabParseException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final int offset;
  private final int line;
  private final int column;

  DtabParseException(String message, int offset, int line, int column) {
    super(message);
    this.offset = offset;
    this.line = line;
    this.column = column;
  }

  public int offset() {
    return offset;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** {@code LINE:COL: message}, the form a command line prints. */
  public String located() {
    return line + ":" + column + ": " + getMessage();
  }
}
