package dev.turnout.config;

/**
 * Something a config asks for that Turnout does not implement and cannot simply leave out without
 * doing something else than the operator asked: a router of another protocol (its port would stay
 * closed), {@code tls:} (the traffic would go in plaintext), a storage kind (a private store no other
 * process sees). Start-up stops on any of these; {@code --skip-unimplemented} starts without the
 * routers, never without TLS or on another store than the one named.
 *
 * @param path the YAML path, as in every config message ({@code routers[1].protocol})
 * @param what what is not implemented ({@code protocol h2 is not implemented by Turnout})
 * @param instead what exists instead, or what the operator can do
 */
public record Unimplemented(Kind kind, String path, String what, String instead) {

  /** What kind of thing is missing, which decides whether it may be skipped. */
  public enum Kind {
    /**
     * A router Turnout cannot run as written (another protocol, a transformer it lacks): may be left
     * out with --skip-unimplemented.
     */
    ROUTER,
    /** TLS on a server, a client, the admin port or a control-plane link: never left out. */
    TLS,
    /** A storage kind: never replaced by another store. */
    STORAGE
  }

  public Unimplemented {
    if (kind == null || path == null || what == null || instead == null) {
      throw new IllegalArgumentException("kind, path, what and instead are required");
    }
  }

  /** The one line start-up stops with: the YAML path, what is not implemented, what exists instead. */
  public String line() {
    return path + ": " + what + "; " + instead;
  }

  public boolean skippable() {
    return kind == Kind.ROUTER;
  }
}
