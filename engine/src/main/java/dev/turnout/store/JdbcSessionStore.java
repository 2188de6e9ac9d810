package dev.turnout.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Sessions in the {@code signed_in_session} table (migration V7), with a short, bounded Caffeine cache
 * in front so a page's many requests do not each read the database.
 *
 * <p>What holds: the table is the truth and rows are only inserted, touched ({@code UPDATE ...
 * last_seen}) and deleted, so no copy of a session is ever written back. {@link #end} deletes the row
 * and then drops the cache entry; Caffeine makes that drop wait for a load of the same key already
 * running, so a request in flight cannot leave a signed-out session in this cache either. Another
 * control plane may answer from its cache for at most {@link #CACHE_FOR}. A session ends after {@link
 * #IDLE} without use, or {@link #MAX_AGE} after it started, whichever comes first.
 */
final class JdbcSessionStore implements SessionStore {
  static final Duration IDLE = Duration.ofHours(12);
  static final Duration MAX_AGE = Duration.ofDays(7);
  static final Duration CACHE_FOR = Duration.ofSeconds(2);
  static final Duration LAST_KNOWN_FOR = Duration.ofMinutes(5);
  /** {@code last_seen} is written at most this often per session, not on every request. */
  static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
  static final int CACHE_SIZE = 10_000;

  private record Row(User user, String csrf, Instant created, Instant lastSeen) {}

  private final Database db;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Cache<String, Row> cache;
  /**
   * Every session this control plane last found in the database, for while the database is not
   * answering: a signed-in operator keeps seeing the dashboard (whose reads answer from the last
   * versions seen) instead of being sent to a sign-in that cannot work. A session this control plane
   * ends leaves it at once; one seen more than {@link #LAST_KNOWN_FOR} ago is not trusted this way (it
   * may have ended on another control plane meanwhile).
   */
  private final Cache<String, Row> lastKnown;

  JdbcSessionStore(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(CACHE_SIZE)
            .expireAfterWrite(CACHE_FOR)
            .ticker(LoginThrottle.ticker(clock))
            .build();
    this.lastKnown =
        Caffeine.newBuilder()
            .maximumSize(CACHE_SIZE)
            .expireAfterWrite(LAST_KNOWN_FOR)
            .ticker(LoginThrottle.ticker(clock))
            .build();
  }

  @Override
  public SignedInSession start(User user) {
    return start(user, null).orElseThrow();
  }

  @Override
  public Optional<SignedInSession> start(LoginOutcome.Accepted accepted) {
    return start(accepted.user(), accepted.credential());
  }

  /**
   * With a {@code credential}, the user's row is read and locked first: a password or role change
   * committed since the check is seen (no session), and one not yet committed waits for this insert
   * and then ends the session with the user's others.
   */
  private Optional<SignedInSession> start(User user, byte[] credential) {
    String secret = secret();
    String csrf = secret();
    Instant now = clock.instant();
    boolean started = db.transaction(
        c -> {
          if (credential != null) {
            try (PreparedStatement same =
                c.prepareStatement("SELECT name FROM app_user WHERE name = ? AND role = ? AND hash = ? FOR UPDATE")) {
              same.setString(1, user.name());
              same.setString(2, user.role().name());
              same.setBytes(3, credential);
              try (java.sql.ResultSet rs = same.executeQuery()) {
                if (!rs.next()) {
                  return false;
                }
              }
            }
          }
          try (PreparedStatement old =
              c.prepareStatement("DELETE FROM signed_in_session WHERE last_seen < ? OR created_at < ?")) {
            old.setObject(1, at(now.minus(IDLE)));
            old.setObject(2, at(now.minus(MAX_AGE)));
            old.executeUpdate();
          }
          try (PreparedStatement st =
              c.prepareStatement(
                  "INSERT INTO signed_in_session (secret_sha256, user_name, csrf, created_at, last_seen)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            st.setString(1, sha256(secret));
            st.setString(2, user.name());
            st.setString(3, csrf);
            st.setObject(4, at(now));
            st.setObject(5, at(now));
            st.executeUpdate();
          }
          return true;
        });
    return started ? Optional.of(new SignedInSession(secret, user, csrf)) : Optional.empty();
  }

  @Override
  public Optional<SignedInSession> find(String secret) {
    if (secret == null || secret.isEmpty() || secret.length() > 128) {
      return Optional.empty();
    }
    String key = sha256(secret);
    Row row;
    try {
      row = cache.get(key, this::load);
    } catch (StoreException.Unavailable away) {
      row = lastKnown.getIfPresent(key);
      if (row == null) {
        throw away;
      }
      return expired(row, clock.instant()) ? Optional.empty() : Optional.of(new SignedInSession(secret, row.user(), row.csrf()));
    }
    if (row == null) {
      lastKnown.invalidate(key);
      return Optional.empty();
    }
    // An end() racing this one drops the session from the cache and then from lastKnown: taken back
    // out here when the cache no longer has it, it cannot be left behind in lastKnown either way. (Not
    // computeIfPresent on the cache: Caffeine counts that as a write, and each request would then keep
    // the cached session alive past its 2 s, so a sign-out on another control plane was never seen.)
    lastKnown.put(key, row);
    if (cache.getIfPresent(key) == null) {
      lastKnown.invalidate(key);
    }
    Instant now = clock.instant();
    if (expired(row, now)) {
      end(secret);
      return Optional.empty();
    }
    if (!row.lastSeen().plus(TOUCH_EVERY).isAfter(now)) {
      touch(key, now);
      // computeIfPresent never adds an entry, so an end() that has just dropped this one stays dropped
      cache.asMap().computeIfPresent(key, (k, r) -> new Row(r.user(), r.csrf(), r.created(), now));
    }
    return Optional.of(new SignedInSession(secret, row.user(), row.csrf()));
  }

  @Override
  public void end(String secret) {
    if (secret == null || secret.isEmpty()) {
      return;
    }
    String key = sha256(secret);
    lastKnown.invalidate(key);
    db.transaction(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement("DELETE FROM signed_in_session WHERE secret_sha256 = ?")) {
            st.setString(1, key);
            st.executeUpdate();
          }
          return null;
        });
    cache.invalidate(key);
    lastKnown.invalidate(key);
  }

  private static boolean expired(Row row, Instant now) {
    return !row.lastSeen().plus(IDLE).isAfter(now) || !row.created().plus(MAX_AGE).isAfter(now);
  }

  /** Ends every session of {@code userName} (their password or role changed), in {@code c}'s work. */
  static void endAllOf(java.sql.Connection c, String userName) throws java.sql.SQLException {
    try (PreparedStatement st = c.prepareStatement("DELETE FROM signed_in_session WHERE user_name = ?")) {
      st.setString(1, userName);
      st.executeUpdate();
    }
  }

  /**
   * Forgets what this control plane cached, after {@link #endAllOf} committed for {@code userName}:
   * the sessions it had cached, and that user's sessions it would trust while the database is away
   * (their password or role has changed, so those sessions are over even then).
   */
  void forgetCached(String userName) {
    cache.invalidateAll();
    lastKnown.asMap().values().removeIf(row -> row.user().name().equals(userName));
  }

  private Row load(String key) {
    return db.read(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT s.user_name, u.role, s.csrf, s.created_at, s.last_seen"
                      + " FROM signed_in_session s JOIN app_user u ON u.name = s.user_name"
                      + " WHERE s.secret_sha256 = ?")) {
            st.setString(1, key);
            try (ResultSet rs = st.executeQuery()) {
              if (!rs.next()) {
                return null;
              }
              return new Row(
                  new User(rs.getString(1), Role.valueOf(rs.getString(2))),
                  rs.getString(3),
                  rs.getObject(4, OffsetDateTime.class).toInstant(),
                  rs.getObject(5, OffsetDateTime.class).toInstant());
            }
          }
        });
  }

  private void touch(String key, Instant now) {
    db.transaction(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement("UPDATE signed_in_session SET last_seen = ? WHERE secret_sha256 = ?")) {
            st.setObject(1, at(now));
            st.setString(2, key);
            st.executeUpdate();
          }
          return null;
        });
  }

  private static OffsetDateTime at(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  private String secret() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String sha256(String secret) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
