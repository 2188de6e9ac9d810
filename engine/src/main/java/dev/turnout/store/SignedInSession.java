package dev.turnout.store;

/**
 * A signed-in session as its user's browser holds it: the secret (the cookie's value), the user with
 * the role the store gives them now, and the CSRF token every state-changing request must carry.
 */
public record SignedInSession(String secret, User user, String csrf) {
  public SignedInSession {
    if (secret == null || user == null || csrf == null) {
      throw new IllegalArgumentException("a session needs a secret, a user and a CSRF token");
    }
  }

  @Override
  public String toString() {
    return "SignedInSession[" + user.name() + "]";
  }
}
