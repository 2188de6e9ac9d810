package dev.turnout.web.auth;

import dev.turnout.store.User;

/**
 * Who is using the page: the user's name, whether they may change routes, and the CSRF token that every
 * state-changing request of their session must carry.
 */
public record SignedIn(String name, boolean mayWrite, String csrf) {

  static SignedIn of(User user, String csrf) {
    return new SignedIn(user.name(), user.role().mayWrite(), csrf);
  }
}
