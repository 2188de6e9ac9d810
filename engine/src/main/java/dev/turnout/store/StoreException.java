package dev.turnout.store;

/** Why a store operation was refused; each subclass maps to one HTTP status. Nothing was written. */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The namespace does not exist (404). */
  public static final class NotFound extends StoreException {
    private static final long serialVersionUID = 1L;

    public NotFound(String namespace) {
      super("namespace '" + namespace + "' does not exist");
    }
  }

  /** The namespace already exists (409). */
  public static final class AlreadyExists extends StoreException {
    private static final long serialVersionUID = 1L;

    public AlreadyExists(String namespace) {
      super("namespace '" + namespace + "' already exists");
    }
  }

  /** {@code If-Match} named a version that is no longer current (412). */
  public static final class Conflict extends StoreException {
    private static final long serialVersionUID = 1L;
    private final DtabVersion current;

    public Conflict(String namespace, String expected, DtabVersion current) {
      super(
          "namespace '"
              + namespace
              + "' is at version "
              + current.version()
              + " (etag "
              + current.etag()
              + "), not etag "
              + expected);
      this.current = current;
    }

    public DtabVersion current() {
      return current;
    }
  }

  /**
   * The database cannot be reached (503). Nothing was written; reads of current dtabs still answer
   * from the last versions this process saw, and everything works again once the database answers.
   */
  public static final class Unavailable extends StoreException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Bad input: a malformed dtab, a bad namespace name (400). */
  public static final class Invalid extends StoreException {
    private static final long serialVersionUID = 1L;

    public Invalid(String message) {
      super(message);
    }

    /** Bad input whose cause says more, e.g. the {@code DtabParseException} with its position. */
    public Invalid(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
