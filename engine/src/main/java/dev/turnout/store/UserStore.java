package dev.turnout.store;

import java.util.List;
import java.util.Optional;

/**
 * Users kept in the store, and their signed-in sessions. Passwords are kept only as salted hashes;
 * a check takes the same time whether or not the user exists.
 */
public interface UserStore {

  /**
   * One sign-in attempt by {@code client} (its address, or any stable name for where attempts come
   * from): accepted, refused, or throttled without the password being checked.
   */
  LoginOutcome login(String client, String name, String password);

  /** The user, when the name exists and the password matches its hash (a local caller's attempt). */
  Optional<User> authenticate(String name, String password);

  /** Adds a user, or replaces the password and role of an existing one. */
  void put(String name, Role role, char[] password);

  List<User> users();

  /** The users' signed-in dashboard sessions, in the same database. */
  SessionStore sessions();
}
