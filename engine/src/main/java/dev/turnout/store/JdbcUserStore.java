package dev.turnout.store;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Users in the store's H2 database. Passwords are kept as salted PBKDF2-HMAC-SHA256 hashes (see
 * {@link PasswordHasher}), each with its own iteration count. {@link #authenticate} hashes once
 * whether or not the user exists, so its time does not tell which names exist. Names follow the
 * namespace rule: 1 to 64 of {@code A-Z a-z 0-9 _ . -}.
 */
public final class JdbcUserStore implements UserStore {

  /** The user {@link #ensureAdmin} creates. */
  public static final String ADMIN = "admin";

  public static final String ADMIN_PASSWORD_ENV = "TURNOUT_ADMIN_PASSWORD";

  private final Database db;
  private final Clock clock;
  private final int iterations;
  private final PasswordHasher hasher = new PasswordHasher();
  private final LoginThrottle throttle;
  /** Hashed against when the user does not exist, so a miss costs what a hit costs. */
  private final byte[] decoySalt;

  JdbcUserStore(Database db, Clock clock, int iterations) {
    this.db = db;
    this.clock = clock;
    this.iterations = iterations;
    this.decoySalt = hasher.newSalt();
    this.throttle = new LoginThrottle(clock);
  }

  private record Stored(User user, byte[] salt, byte[] hash, int iterations) {}

  @Override
  public Optional<User> authenticate(String name, String password) {
    if (name == null || password == null || password.isEmpty()) {
      return Optional.empty();
    }
    if (throttle.blocked(name)) {
      return Optional.empty();
    }
    Optional<Stored> stored = Namespaces.isValid(name) ? find(name) : Optional.empty();
    char[] chars = password.toCharArray();
    if (stored.isEmpty()) {
      PasswordHasher.hash(chars, decoySalt, iterations);
      throttle.failed(name);
      return Optional.empty();
    }
    Stored s = stored.get();
    if (!PasswordHasher.matches(chars, s.salt(), s.iterations(), s.hash())) {
      throttle.failed(name);
      return Optional.empty();
    }
    throttle.succeeded(name);
    return Optional.of(s.user());
  }

  /**
   * Adds a user or replaces the role and password of an existing one.
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
    byte[] salt = hasher.newSalt();
    byte[] hash = PasswordHasher.hash(password, salt, iterations);
    db.transaction(
        c -> {
          // UPDATE, then INSERT if there was no row: the same SQL on H2 and PostgreSQL (a writer that
          // inserts the same name first makes this a duplicate key, which the transaction retries).
          int updated;
          try (PreparedStatement st =
              c.prepareStatement(
                  "UPDATE app_user SET role = ?, salt = ?, hash = ?, iterations = ?, updated_at = ? WHERE name = ?")) {
            bindUser(st, name, role, salt, hash, iterations);
            updated = st.executeUpdate();
          }
          if (updated == 0) {
            try (PreparedStatement st =
                c.prepareStatement(
                    "INSERT INTO app_user (role, salt, hash, iterations, updated_at, name) VALUES (?, ?, ?, ?, ?, ?)")) {
              bindUser(st, name, role, salt, hash, iterations);
              st.executeUpdate();
            }
          }
          return null;
        });
  }

  private void bindUser(PreparedStatement st, String name, Role role, byte[] salt, byte[] hash, int iterations)
      throws java.sql.SQLException {
    st.setString(1, role.name());
    st.setBytes(2, salt);
    st.setBytes(3, hash);
    st.setInt(4, iterations);
    st.setObject(5, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
    st.setString(6, name);
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
                  "SELECT name, role, salt, hash, iterations FROM app_user WHERE name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              return Optional.of(
                  new Stored(
                      new User(rs.getString(1), Role.valueOf(rs.getString(2))),
                      rs.getBytes(3),
                      rs.getBytes(4),
                      rs.getInt(5)));
            }
          }
        });
  }
}
