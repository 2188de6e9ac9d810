package dev.turnout.store;

import java.util.List;
import java.util.Optional;

/**
 * Users kept in the store. Passwords are kept only as salted PBKDF2 hashes; {@link #authenticate}
 * takes the same time whether or not the user exists.
 */
public interface UserStore {

  /** The user, when the name exists and the password matches its hash. */
  Optional<User> authenticate(String name, String password);

  /** Adds a user, or replaces the password and role of an existing one. */
  void put(String name, Role role, char[] password);

  List<User> users();
}
