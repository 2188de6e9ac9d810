package dev.turnout.store;

import java.util.Optional;

/**
 * Signed-in dashboard sessions, kept in the store's database so that every control plane sharing it
 * sees the same ones: a session started on one is found on all, and {@link #end} on one ends it on
 * all (within {@link JdbcSessionStore#CACHE_FOR}, how long another one may still answer from its
 * cache). A session is found by its secret, which only the browser holds.
 */
public interface SessionStore {

  /** Starts a session for {@code user}, with a new random secret and CSRF token. */
  SignedInSession start(User user);

  /**
   * Starts a session for a sign-in that was {@code accepted}, unless the user's password or role has
   * changed since its password was checked (then empty: the sign-in must be tried again).
   */
  Optional<SignedInSession> start(LoginOutcome.Accepted accepted);

  /** The live session whose secret this is, its idle time renewed. */
  Optional<SignedInSession> find(String secret);

  /** Ends the session, if there is one; a request that found it earlier cannot bring it back. */
  void end(String secret);
}
