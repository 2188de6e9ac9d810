package dev.turnout.web.auth;

import dev.turnout.store.User;
import java.time.Instant;
import java.util.Optional;

/**
 * A browser session: its secret id (the cookie value), the signed-in user if any, and the CSRF token
 * bound to it. A session is replaced, never altered, when its user signs in, so a token seen before
 * sign-in is useless after it.
 */
record Session(String id, Optional<User> user, String csrf, Instant lastSeen) {

  Session touched(Instant now) {
    return new Session(id, user, csrf, now);
  }
}
