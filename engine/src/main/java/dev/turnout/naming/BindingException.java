package dev.turnout.naming;

/**
 * Binding could not finish: the rewrite chain went deeper than {@link Interpreter#MAX_DEPTH}, or a
 * namer failed (for example an unknown {@code /$/} namer). The message is meant for operators.
 */
public final class BindingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BindingException(String message) {
    super(message);
  }
}
