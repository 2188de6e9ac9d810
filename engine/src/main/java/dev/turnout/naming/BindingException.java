package dev.turnout.naming;

/**
 * Binding could not finish: the rewrite chain went deeper than {@link Interpreter#MAX_DEPTH}, or a
 * namer failed (for example an unknown {@code /$/} namer). The message is meant for operators.
 *
 * <p>{@link #kind()} names the failure as Finagle's exception class would ({@code
 * NamerExceededMaxDepthException}, {@code ClassNotFoundException}, ...) and {@link #detail()} is that
 * exception's own message, so {@code kind() + ": " + detail()} reads as Finagle reports it.
 */
public final class BindingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The kind of a rewrite chain deeper than {@link Interpreter#MAX_DEPTH}. */
  public static final String MAX_DEPTH = "NamerExceededMaxDepthException";

  private final String kind;
  private final String detail;

  public BindingException(String message) {
    this("BindingException", message, message);
  }

  public BindingException(String kind, String detail, String message) {
    super(message);
    this.kind = kind;
    this.detail = detail;
  }

  public String kind() {
    return kind;
  }

  public String detail() {
    return detail;
  }

  static BindingException maxDepth() {
    String detail = "Max recursion level: " + Interpreter.MAX_DEPTH + " reached in Namer lookup";
    return new BindingException(MAX_DEPTH, detail, detail);
  }
}
