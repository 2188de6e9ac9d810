package dev.turnout.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Users in the store's database. Passwords are kept only as salted hashes, each with the algorithm
 * and iteration count that made it (see {@link PasswordHasher}); a hash weaker than the current policy
 * is replaced at its owner's next successful sign-in. {@link #login} hashes once whether or not the
 * user exists, so its time does not tell which names exist, and never hashes for a client that
 * {@link LoginThrottle} holds back. A successful check is remembered for {@link #REMEMBER_SUCCESS}
 * (keyed by a keyed hash of name and password, never the password), so an API client sending HTTP
 * Basic on every call pays one full hash, not one per call. Names follow the namespace rule: 1 to 64
 * of {@code A-Z a-z 0-9 _ . -}.
 */
public final class JdbcUserStore implements UserStore {

  /** The user {@link #ensureAdmin} creates. */
  public static final String ADMIN = "admin";

  public static final String ADMIN_PASSWORD_ENV = "TURNOUT_ADMIN_PASSWORD";

  /**
   * How long a successful check is remembered. A password changed on another control plane of the
   * fleet is still accepted here for at most this long; one changed here is forgotten at once.
   */
  static final Duration REMEMBER_SUCCESS = Duration.ofSeconds(30);

  /** Who {@link #authenticate} counts as the client, for callers that have none to name. */
  static final String LOCAL_CLIENT = "local";

  private final Database db;
  private final Clock clock;
  private final PasswordHasher hasher;
  private final LoginThrottle throttle;
  private final JdbcSessionStore sessions;
  private final Cache<String, LoginOutcome.Accepted> recentSuccesses;
  /** Counts password and role changes made here: a check that a change overtook is not remembered. */
  private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
  private final byte[] successKey = new byte[32];

  JdbcUserStore(Database db, Clock clock, int iterations) {
    this.db = db;
    this.clock = clock;
    this.hasher = new PasswordHasher(iterations);
    this.throttle = new LoginThrottle(clock);
    this.sessions = new JdbcSessionStore(db, clock);
    this.recentSuccesses =
        Caffeine.newBuilder()
            .maximumSize(1_000)
            .expireAfterWrite(REMEMBER_SUCCESS)
            .ticker(LoginThrottle.ticker(clock))
            .build();
    new SecureRandom().nextBytes(successKey);
  }

  private record Stored(User user, PasswordHash hash) {}

  @Override
  public LoginOutcome login(String client, String name, String password) {
    if (name == null || name.isEmpty() || password == null || password.isEmpty()) {
      return new LoginOutcome.Refused();
    }
    String remembered = successKey(name, password);
    LoginOutcome.Accepted known = recentSuccesses.getIfPresent(remembered);
    if (known != null) {
      return known;
    }
    Optional<Duration> wait = throttle.take(client);
    if (wait.isPresent()) {
      return new LoginOutcome.Throttled(wait.get());
    }
    long changesBefore = changes.get();
    LoginOutcome outcome =
        throttle
            .inHashingSlot(() -> check(name, password))
            .orElseGet(() -> new LoginOutcome.Throttled(Duration.ofSeconds(1)));
    if (outcome instanceof LoginOutcome.Accepted ok) {
      throttle.succeeded(client);
      if (changes.get() == changesBefore) {
        recentSuccesses.put(remembered, ok);
      }
    }
    return outcome;
  }

  @Override
  public Optional<User> authenticate(String name, String password) {
    return login(LOCAL_CLIENT, name, password) instanceof LoginOutcome.Accepted ok
        ? Optional.of(ok.user())
        : Optional.empty();
  }

  @Override
  public SessionStore sessions() {
    return sessions;
  }

  private LoginOutcome check(String name, String password) {
    Optional<Stored> stored = Namespaces.isValid(name) ? find(name) : Optional.empty();
    char[] chars = password.toCharArray();
    try {
      if (stored.isEmpty()) {
        hasher.spendDecoy(chars);
        return new LoginOutcome.Refused();
      }
      Stored s = stored.get();
      if (!hasher.matches(chars, s.hash())) {
        return new LoginOutcome.Refused();
      }
      PasswordHash matched = s.hash();
      if (hasher.isWeaker(matched)) {
        PasswordHash stronger = hasher.hash(chars);
        if (rehash(name, matched, stronger)) {
          matched = stronger;
        }
      }
      return new LoginOutcome.Accepted(s.user(), matched.hash());
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /**
   * Replaces a weaker hash, unless the password was changed meanwhile (the old hash is gone); true
   * when it did.
   */
  private boolean rehash(String name, PasswordHash old, PasswordHash stronger) {
    return db.transaction(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "UPDATE app_user SET algorithm = ?, salt = ?, hash = ?, iterations = ?"
                      + " WHERE name = ? AND hash = ?")) {
            st.setString(1, stronger.algorithm());
            st.setBytes(2, stronger.salt());
            st.setBytes(3, stronger.hash());
            st.setInt(4, stronger.iterations());
            st.setString(5, name);
            st.setBytes(6, old.hash());
            return st.executeUpdate() == 1;
          }
        });
  }

  /**
   * Adds a user or replaces the role and password of an existing one; a replaced user's sessions end
   * on every control plane.
   *
   * @throws StoreException.Invalid for a bad name, a missing role or an empty password
   */
  @Override
  public void put(String name, Role role, char[] password) {
    if (!Namespaces.isValid(name)) {
      throw new StoreException.Invalid(
          "invalid user name '" + name + "': use 1 to 64 characters from A-Z, a-z, 0-9, '_', '.' and '-'");
    }
    if (role == null) {
      throw new StoreException.Invalid("a user needs a role (operator or viewer)");
    }
    if (password == null || password.length == 0) {
      throw new StoreException.Invalid("the password must not be empty");
    }
    PasswordHash h = hasher.hash(password);
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    db.transaction(
        c -> {
          // UPDATE then INSERT, the one upsert every database takes; a racing INSERT of the same name
          // is a unique violation, which Database.transaction retries, and the retry updates.
          int updated;
          try (PreparedStatement st =
              c.prepareStatement(
                  "UPDATE app_user SET role = ?, algorithm = ?, salt = ?, hash = ?, iterations = ?,"
                      + " updated_at = ? WHERE name = ?")) {
            st.setString(1, role.name());
            st.setString(2, h.algorithm());
            st.setBytes(3, h.salt());
            st.setBytes(4, h.hash());
            st.setInt(5, h.iterations());
            st.setObject(6, now);
            st.setString(7, name);
            updated = st.executeUpdate();
          }
          if (updated == 0) {
            try (PreparedStatement st =
                c.prepareStatement(
                    "INSERT INTO app_user (name, role, algorithm, salt, hash, iterations, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
              st.setString(1, name);
              st.setString(2, role.name());
              st.setString(3, h.algorithm());
              st.setBytes(4, h.salt());
              st.setBytes(5, h.hash());
              st.setInt(6, h.iterations());
              st.setObject(7, now);
              st.executeUpdate();
            }
          } else {
            JdbcSessionStore.endAllOf(c, name);
          }
          return null;
        });
    changes.incrementAndGet();
    recentSuccesses.invalidateAll();
    sessions.forgetCached(name);
  }

  @Override
  public List<User> users() {
    return db.read(
        c -> {
          List<User> out = new ArrayList<>();
          try (PreparedStatement st =
                  c.prepareStatement("SELECT name, role FROM app_user ORDER BY name");
              ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              out.add(new User(rs.getString(1), Role.valueOf(rs.getString(2))));
            }
          }
          return List.copyOf(out);
        });
  }

  /** True when at least one user, and so one password, exists. */
  public boolean hasAnyPassword() {
    return db.read(
        c -> {
          try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM app_user");
              ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1) > 0;
          }
        });
  }

  /**
   * Makes sure someone can write: when no operator exists (first start), creates the operator {@code
   * admin} with {@code envPassword} (the value of {@code TURNOUT_ADMIN_PASSWORD}), or, when that is
   * null or empty, with a random password that is printed once to {@code out} and kept only hashed.
   * Does nothing when an operator exists.
   *
   * @return true when it created {@code admin}
   */
  public boolean ensureAdmin(String envPassword, PrintStream out) {
    boolean anyOperator = users().stream().anyMatch(u -> u.role().mayWrite());
    if (anyOperator) {
      return false;
    }
    if (envPassword != null && !envPassword.isEmpty()) {
      put(ADMIN, Role.OPERATOR, envPassword.toCharArray());
      out.println("turnout: created user admin (operator) with the password from " + ADMIN_PASSWORD_ENV);
    } else {
      String generated = randomPassword();
      put(ADMIN, Role.OPERATOR, generated.toCharArray());
      out.println("turnout: generated admin password: " + generated);
    }
    out.flush();
    return true;
  }

  /** HMAC-SHA256 of name and password under a key of this process: no password is kept in memory. */
  private String successKey(String name, String password) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(successKey, "HmacSHA256"));
      mac.update(name.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return HexFormat.of().formatHex(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA256", e);
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[15];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private Optional<Stored> find(String name) {
    return db.read(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT name, role, algorithm, iterations, salt, hash FROM app_user WHERE name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              return Optional.of(
                  new Stored(
                      new User(rs.getString(1), Role.valueOf(rs.getString(2))),
                      new PasswordHash(rs.getString(3), rs.getInt(4), rs.getBytes(5), rs.getBytes(6))));
            }
          }
        });
  }
}
