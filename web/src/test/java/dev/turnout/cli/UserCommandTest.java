package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.Role;
import dev.turnout.store.User;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UserCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String stdin, Map<String, String> env, String... args) {
    CommandLine cl =
        new CommandLine(
            new UserCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private JdbcDtabStore openStore() {
    return JdbcDtabStore.openFile(dir);
  }

  @Test
  void addReadsPasswordFromStdin() {
    int code = run("alice-pw\n", Map.of(), "add", "alice", "--role", "operator", "--data", dir.toString());

    assertThat(code).isZero();
    assertThat(out.toString()).contains("user alice (operator) saved");
    try (JdbcDtabStore store = openStore()) {
      assertThat(store.userStore().authenticate("alice", "alice-pw"))
          .contains(new User("alice", Role.OPERATOR));
    }
  }

  @Test
  void addTakesPasswordFromNamedVariable() {
    int code =
        run("", Map.of("PW", "bob-pw"), "add", "bob", "--role", "VIEWER", "--password-env", "PW", "--data", dir.toString());

    assertThat(code).isZero();
    try (JdbcDtabStore store = openStore()) {
      assertThat(store.userStore().authenticate("bob", "bob-pw")).contains(new User("bob", Role.VIEWER));
    }
  }

  @Test
  void unknownRoleExitsTwoWithMessage() {
    int code = run("pw\n", Map.of(), "add", "carol", "--role", "admin", "--data", dir.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--role must be operator or viewer, not 'admin'");
  }

  @Test
  void missingPasswordExitsTwo() {
    int code = run("", Map.of(), "add", "carol", "--role", "viewer", "--data", dir.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("no password given");
  }

  @Test
  void badUserNameExitsTwo() {
    int code = run("pw\n", Map.of(), "add", "no spaces", "--role", "viewer", "--data", dir.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("invalid user name");
  }

  @Test
  void missingRoleIsAUsageErrorExitingTwo() {
    int code = run("pw\n", Map.of(), "add", "dave", "--data", dir.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--role");
  }

  @Test
  void listShowsNamesAndRolesOnly() {
    run("alice-pw\n", Map.of(), "add", "alice", "--role", "operator", "--data", dir.toString());
    run("bob-pw\n", Map.of(), "add", "bob", "--role", "viewer", "--data", dir.toString());
    out.getBuffer().setLength(0);

    int code = run("", Map.of(), "list", "--data", dir.toString());

    assertThat(code).isZero();
    assertThat(out.toString().lines()).containsExactly("alice operator", "bob viewer");
  }

  @Test
  void aUserIsAddedToASharedPostgresqlStoreAndListedFromIt() {
    String url = dev.turnout.store.PostgresServer.shared().newDatabase() + "?user=" + dev.turnout.store.PostgresServer.USER;
    Map<String, String> env = Map.of("TURNOUT_STORE_PASSWORD", dev.turnout.store.PostgresServer.PASSWORD, "PW", "viewer-pw");

    int added = run("", env, "add", "fleet", "--role", "viewer", "--password-env", "PW", "--store", url);

    assertThat(added).isZero();
    try (JdbcDtabStore store = JdbcDtabStore.builder(url)
        .password(dev.turnout.store.PostgresServer.PASSWORD).open()) {
      assertThat(store.userStore().authenticate("fleet", "viewer-pw")).isPresent();
    }
  }
}
