package dev.turnout.web.auth;

import dev.turnout.store.User;
import io.javalin.http.Context;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions kept in memory, keyed by a random 256-bit id sent as an HttpOnly, SameSite=Strict cookie.
 * A session idle for longer than {@link #IDLE} is forgotten; at most {@link #MAX_SESSIONS} are kept, the
 * least recently used going first, so unauthenticated visitors cannot grow the table without bound.
 */
final class Sessions {
  static final String COOKIE = "turnout_session";
  static final Duration IDLE = Duration.ofHours(12);
  static final int MAX_SESSIONS = 10_000;

  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;

  Sessions(Clock clock) {
    this.clock = clock;
  }

  /** The live session the request's cookie names. */
  Optional<Session> find(Context ctx) {
    String id = ctx.cookie(COOKIE);
    if (id == null) {
      return Optional.empty();
    }
    Session s = byId.get(id);
    Instant now = clock.instant();
    if (s == null || s.lastSeen().plus(IDLE).isBefore(now)) {
      byId.remove(id);
      return Optional.empty();
    }
    Session touched = s.touched(now);
    byId.put(id, touched);
    return Optional.of(touched);
  }

  /** The request's session, or a new anonymous one (with its cookie set) when it has none. */
  Session findOrStart(Context ctx) {
    return find(ctx).orElseGet(() -> start(ctx, Optional.empty()));
  }

  /** Replaces the request's session by a new one for {@code user}, with a fresh id and CSRF token. */
  Session signIn(Context ctx, User user) {
    find(ctx).ifPresent(old -> byId.remove(old.id()));
    return start(ctx, Optional.of(user));
  }

  /** Forgets the request's session and starts a new anonymous one, for a form that must be retried. */
  Session signOutAndStart(Context ctx) {
    find(ctx).ifPresent(old -> byId.remove(old.id()));
    return start(ctx, Optional.empty());
  }

  void signOut(Context ctx) {
    find(ctx).ifPresent(old -> byId.remove(old.id()));
    ctx.header("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  }

  /** True when {@code presented} is this session's CSRF token, compared in constant time. */
  static boolean tokenMatches(Session session, String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(
        session.csrf().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  private Session start(Context ctx, Optional<User> user) {
    evictIfFull();
    Session s = new Session(secret(), user, secret(), clock.instant());
    byId.put(s.id(), s);
    ctx.header("Set-Cookie", COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict");
    return s;
  }

  private void evictIfFull() {
    Instant cutoff = clock.instant().minus(IDLE);
    byId.values().removeIf(s -> s.lastSeen().isBefore(cutoff));
    while (byId.size() >= MAX_SESSIONS) {
      byId.values().stream()
          .min(Comparator.comparing(Session::lastSeen))
          .ifPresent(s -> byId.remove(s.id()));
    }
  }

  private String secret() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
