package dev.turnout.routing;

/** A malformed {@code #@mirror} directive; the message names its line, for the dashboard and the API. */
public final class MirrorRuleException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final int line;

  MirrorRuleException(int line, String problem) {
    super("line " + line + ": " + problem);
    this.line = line;
  }

  /** The line of the dtab text, from 1. */
  public int line() {
    return line;
  }
}
