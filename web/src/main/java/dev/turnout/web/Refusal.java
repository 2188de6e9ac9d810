package dev.turnout.web;

/**
 * A request the dashboard will not carry out, with a message for the operator and the HTTP status to
 * answer with. The dashboard maps it in one place to a visible notice: in the page's message area for an
 * htmx request, as a whole page otherwise.
 */
public final class Refusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public Refusal(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static Refusal forbidden(String message) {
    return new Refusal(403, message);
  }

  public static Refusal badRequest(String message) {
    return new Refusal(400, message);
  }

  public static Refusal notFound(String message) {
    return new Refusal(404, message);
  }
}
