package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserStoreTest {
  @TempDir Path dir;
  private JdbcDtabStore store;
  private JdbcUserStore users;

  @BeforeEach
  void open() {
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).passwordIterations(10).open();
    users = store.userStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void rightPasswordAuthenticatesWithRole() {
    users.put("ops", Role.OPERATOR, "s3cret-pass".toCharArray());

    assertThat(users.authenticate("ops", "s3cret-pass")).contains(new User("ops", Role.OPERATOR));
  }

  @Test
  void wrongPasswordOrUnknownUserDoesNotAuthenticate() {
    users.put("ops", Role.OPERATOR, "s3cret-pass".toCharArray());

    assertThat(users.authenticate("ops", "s3cret-pasS")).isEmpty();
    assertThat(users.authenticate("nobody", "s3cret-pass")).isEmpty();
    assertThat(users.authenticate("ops", "")).isEmpty();
  }

  @Test
  void putReplacesPasswordAndRole() {
    users.put("ops", Role.OPERATOR, "first-pass".toCharArray());

    users.put("ops", Role.VIEWER, "second-pass".toCharArray());

    assertThat(users.authenticate("ops", "first-pass")).isEmpty();
    assertThat(users.authenticate("ops", "second-pass")).contains(new User("ops", Role.VIEWER));
    assertThat(users.users()).containsExactly(new User("ops", Role.VIEWER));
  }

  @Test
  void passwordIsStoredOnlyAsSaltedHash() throws Exception {
    users.put("a", Role.VIEWER, "same-password".toCharArray());
    users.put("b", Role.VIEWER, "same-password".toCharArray());

    try (var c = java.sql.DriverManager.getConnection(JdbcDtabStore.fileUrl(dir), "sa", "");
        var rs = c.createStatement().executeQuery("SELECT salt, hash, iterations FROM app_user")) {
      rs.next();
      byte[] hashA = rs.getBytes(2);
      assertThat(rs.getBytes(1)).hasSize(16);
      assertThat(rs.getInt(3)).isEqualTo(10);
      rs.next();
      assertThat(rs.getBytes(2)).isNotEqualTo(hashA);
      assertThat(new String(hashA, StandardCharsets.ISO_8859_1)).doesNotContain("same-password");
    }
  }

  @Test
  void badNameOrEmptyPasswordIsRefused() {
    assertThatThrownBy(() -> users.put("a b", Role.VIEWER, "pw".toCharArray()))
        .isInstanceOf(StoreException.Invalid.class);
    assertThatThrownBy(() -> users.put("ok", Role.VIEWER, new char[0]))
        .isInstanceOf(StoreException.Invalid.class);
  }

  @Test
  void firstStartWithEnvPasswordCreatesAdmin() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    boolean created = users.ensureAdmin("from-env", new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(created).isTrue();
    assertThat(users.authenticate("admin", "from-env")).contains(new User("admin", Role.OPERATOR));
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("from-env");
  }

  @Test
  void firstStartWithoutEnvPasswordPrintsGeneratedOneOnce() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

    assertThat(users.hasAnyPassword()).isFalse();
    users.ensureAdmin(null, print);
    boolean again = users.ensureAdmin(null, print);

    Matcher m =
        Pattern.compile("turnout: generated admin password: (\\S+)").matcher(out.toString(StandardCharsets.UTF_8));
    assertThat(m.find()).isTrue();
    assertThat(users.authenticate("admin", m.group(1))).isPresent();
    assertThat(m.find()).isFalse();
    assertThat(again).isFalse();
    assertThat(users.hasAnyPassword()).isTrue();
  }

  @Test
  void existingOperatorMeansNoAdminIsCreated() {
    users.put("ops", Role.OPERATOR, "pw-ops".toCharArray());

    boolean created = users.ensureAdmin("from-env", new PrintStream(new ByteArrayOutputStream()));

    assertThat(created).isFalse();
    assertThat(users.users()).extracting(User::name).containsExactly("ops");
  }

  @Test
  void eachHashIsKeptWithItsAlgorithmAndIterations() throws Exception {
    users.put("ops", Role.OPERATOR, "s3cret-pass".toCharArray());

    assertThat(storedHash("ops")).isEqualTo("PBKDF2-HMAC-SHA256/10");
  }

  @Test
  void aHashWeakerThanThePolicyIsReplacedAtTheNextSignIn() throws Exception {
    users.put("ops", Role.OPERATOR, "s3cret-pass".toCharArray());
    store.close();
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).passwordIterations(25).open();
    users = store.userStore();
    String before = storedHash("ops");

    assertThat(users.authenticate("ops", "s3cret-pass")).isPresent();

    assertThat(before).isEqualTo("PBKDF2-HMAC-SHA256/10");
    assertThat(storedHash("ops")).isEqualTo("PBKDF2-HMAC-SHA256/25");
    assertThat(users.authenticate("ops", "s3cret-pass")).isPresent();
    assertThat(users.authenticate("ops", "wrong-pass")).isEmpty();
  }

  @Test
  void aWrongPasswordLeavesAWeakHashAlone() throws Exception {
    users.put("ops", Role.OPERATOR, "s3cret-pass".toCharArray());
    store.close();
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).passwordIterations(25).open();
    users = store.userStore();

    users.authenticate("ops", "wrong-pass");

    assertThat(storedHash("ops")).isEqualTo("PBKDF2-HMAC-SHA256/10");
  }

  @Test
  void theDefaultPolicyIsOwaspsFigureForPbkdf2WithSha256() {
    assertThat(PasswordHasher.DEFAULT_ITERATIONS).isGreaterThanOrEqualTo(600_000);
  }

  private String storedHash(String name) throws Exception {
    try (var c = java.sql.DriverManager.getConnection(JdbcDtabStore.fileUrl(dir), "sa", "");
        var st = c.prepareStatement("SELECT algorithm, iterations FROM app_user WHERE name = ?")) {
      st.setString(1, name);
      try (var rs = st.executeQuery()) {
        rs.next();
        return rs.getString(1) + "/" + rs.getInt(2);
      }
    }
  }
}
