package dev.turnout.web.auth;

import dev.turnout.store.LoginOutcome;
import dev.turnout.store.SessionStore;
import dev.turnout.store.SignedInSession;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The browser's side of sessions, through Javalin's cookie API. Two cookies, both HttpOnly and
 * SameSite=Strict, kept apart on purpose:
 *
 * <ul>
 *   <li>{@value #COOKIE}: the secret of a signed-in session, which lives in the store's database
 *       ({@link SessionStore}), so any control plane of a fleet accepts it and sign-out on one ends it
 *       on all.
 *   <li>{@value #FORM_COOKIE}: the sign-in form's CSRF token, which the form also carries (a double
 *       submit). It is pre-login state and held by the browser alone: showing the sign-in form stores
 *       nothing on the server, so no number of {@code GET /login} requests can push out a signed-in
 *       operator's session.
 * </ul>
 */
final class Sessions {
  static final String COOKIE = "turnout_session";
  static final String FORM_COOKIE = "turnout_signin";
  private static final int TOKEN_BYTES = 32;

  private final SessionStore store;
  private final SecureRandom random = new SecureRandom();

  Sessions(SessionStore store) {
    this.store = store;
  }

  /** The signed-in session the request's cookie names. */
  Optional<SignedInSession> find(Context ctx) {
    return store.find(ctx.cookie(COOKIE));
  }

  /**
   * Ends the request's session, if any, and starts one under a new secret for the user {@code
   * accepted} names; empty when their password or role changed while the password was being checked.
   */
  Optional<SignedInSession> signIn(Context ctx, LoginOutcome.Accepted accepted) {
    store.end(ctx.cookie(COOKIE));
    Optional<SignedInSession> s = store.start(accepted);
    s.ifPresent(started -> {
      ctx.cookie(cookie(ctx, COOKIE, started.secret(), "/", -1));
      ctx.cookie(cookie(ctx, FORM_COOKIE, "", "/", 0));
    });
    return s;
  }

  void signOut(Context ctx) {
    store.end(ctx.cookie(COOKIE));
    ctx.cookie(cookie(ctx, COOKIE, "", "/", 0));
  }

  /** The sign-in form's token: the browser's own when it has a plausible one, else a new one. */
  String formToken(Context ctx) {
    String held = ctx.cookie(FORM_COOKIE);
    if (held != null && held.matches("[A-Za-z0-9_-]{43}")) {
      return held;
    }
    return newFormToken(ctx);
  }

  /** A new form token, replacing the browser's, for a form that must be sent again. */
  String newFormToken(Context ctx) {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    ctx.cookie(cookie(ctx, FORM_COOKIE, token, "/", -1));
    return token;
  }

  /** True when the form sent the token its browser holds. */
  static boolean formTokenMatches(Context ctx, String presented) {
    return tokensEqual(ctx.cookie(FORM_COOKIE), presented);
  }

  /** Compares in time that does not depend on where the tokens differ. */
  static boolean tokensEqual(String expected, String presented) {
    if (expected == null || expected.isEmpty() || presented == null) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  /** HttpOnly and SameSite=Strict always; Secure when the admin port speaks TLS, so it never goes out in plaintext. */
  private static Cookie cookie(Context ctx, String name, String value, String path, int maxAge) {
    boolean secure = "https".equals(ctx.scheme());
    return new Cookie(name, value, path, maxAge, secure, true, null, SameSite.STRICT);
  }
}
