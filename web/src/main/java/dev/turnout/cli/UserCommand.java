package dev.turnout.cli;

import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.Role;
import dev.turnout.store.StoreException;
import dev.turnout.store.User;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code turnout user}: manages the users of the API and the dashboard, in the store's data directory.
 * The server must not be running on the same directory (the embedded database is locked while open).
 *
 * <pre>
 * echo 's3cret' | turnout user add alice --role operator --data ./data
 * TURNOUT_PW=s3cret turnout user add bob --role viewer --password-env TURNOUT_PW
 * turnout user list --data ./data
 * </pre>
 *
 * Bad input prints {@code turnout: ...} and exits 2; a store that cannot be opened exits 1.
 */
@Command(
    name = "user",
    description = "Manage the users who may sign in to Turnout.",
    // Every line under "Examples:" is run by e2e-tests' ReadmeExamplesIT.
    footer = {
      "",
      "Examples:",
      "  echo 's3cret' | turnout user add alice --role operator --data ./data",
      "  TURNOUT_PW=s3cret turnout user add bob --role viewer --password-env TURNOUT_PW",
      "  turnout user list --data ./data"
    },
    mixinStandardHelpOptions = true)
public final class UserCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int BAD_INPUT = 2;

  @Spec private CommandSpec spec;

  private final InputStream stdin;
  private final Map<String, String> env;

  /** Reads passwords from the process's stdin (or its console, without echo) and environment. */
  public UserCommand() {
    this(System.in, System.getenv());
  }

  /** Reads passwords from {@code stdin} and {@code env} (for tests and embedding). */
  public UserCommand(InputStream stdin, Map<String, String> env) {
    this.stdin = stdin;
    this.env = Map.copyOf(env);
  }

  /** {@code turnout user} alone: says which subcommands there are. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return BAD_INPUT;
  }

  @Command(
      name = "add",
      description = {
        "Add a user, or set a new role and password for an existing one.",
        "The password is the first line of standard input, unless --password-env names a variable"
            + " that holds it."
      },
      mixinStandardHelpOptions = true)
  int add(
      @Parameters(paramLabel = "NAME", description = "1 to 64 of A-Z a-z 0-9 _ . -") String name,
      @Option(
              names = "--role",
              required = true,
              paramLabel = "ROLE",
              description = "operator (reads and writes) or viewer (reads only)")
          String role,
      @Mixin StoreLocation at,
      @Option(
              names = "--password-env",
              paramLabel = "VAR",
              description = "take the password from this environment variable")
          String passwordEnv) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Role parsedRole;
    try {
      parsedRole = Role.valueOf(role.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      err.println("turnout: --role must be operator or viewer, not '" + role + "'");
      return BAD_INPUT;
    }
    char[] password;
    try {
      password = password(passwordEnv);
    } catch (IllegalArgumentException e) {
      err.println("turnout: " + e.getMessage());
      return BAD_INPUT;
    }
    try (JdbcDtabStore store = open(at)) {
      store.userStore().put(name, parsedRole, password);
      out.println(
          "turnout: user "
              + name
              + " ("
              + parsedRole.name().toLowerCase(Locale.ROOT)
              + ") saved in "
              + at.shown());
      return OK;
    } catch (StoreException.Invalid e) {
      err.println("turnout: " + e.getMessage());
      return BAD_INPUT;
    } catch (StoreException | java.io.UncheckedIOException e) {
      err.println("turnout: " + e.getMessage());
      return FAILED;
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  @Command(
      name = "list",
      description = "List the users and their roles (never their passwords).",
      mixinStandardHelpOptions = true)
  int list(
      @Mixin StoreLocation at) {
    PrintWriter out = spec.commandLine().getOut();
    try (JdbcDtabStore store = open(at)) {
      for (User user : store.userStore().users()) {
        out.println(user.name() + " " + user.role().name().toLowerCase(Locale.ROOT));
      }
      return OK;
    } catch (StoreException | java.io.UncheckedIOException e) {
      spec.commandLine().getErr().println("turnout: " + e.getMessage());
      return FAILED;
    }
  }

  /** Where the users are kept, as every {@code user} subcommand takes it. */
  static final class StoreLocation {
    @Option(
        names = "--data",
        defaultValue = "data",
        paramLabel = "DIR",
        description = "data directory of the store (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(
        names = "--store",
        paramLabel = "URL",
        description = "a shared PostgreSQL store, jdbc:postgresql://HOST:PORT/DB, instead of the data directory"
            + " (password from TURNOUT_STORE_PASSWORD)")
    String url;

    /** The place as a message may show it: a password in the URL is masked. */
    String shown() {
      return url == null ? data.toString() : url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
  }

  /** The store in {@code at}'s data directory, or the shared one at its URL when given. */
  private JdbcDtabStore open(StoreLocation at) {
    if (at.url == null) {
      return JdbcDtabStore.openFile(at.data);
    }
    if (!at.url.startsWith("jdbc:postgresql://")) {
      throw new StoreException.Invalid("--store must be jdbc:postgresql://HOST:PORT/DATABASE, not " + at.url);
    }
    return JdbcDtabStore.builder(at.url).password(env.get(STORE_PASSWORD_ENV)).open();
  }

  static final String STORE_PASSWORD_ENV = "TURNOUT_STORE_PASSWORD";

  /** The password from the named variable, the console (no echo), or the first line of stdin. */
  private char[] password(String passwordEnv) {
    if (passwordEnv != null) {
      String value = env.get(passwordEnv);
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(
            "environment variable " + passwordEnv + " is not set or empty");
      }
      return value.toCharArray();
    }
    Console console = System.console();
    if (stdin == System.in && console != null) {
      char[] typed = console.readPassword("Password: ");
      if (typed == null || typed.length == 0) {
        throw new IllegalArgumentException("no password given");
      }
      return typed;
    }
    try {
      String line =
          new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
      if (line == null || line.isEmpty()) {
        throw new IllegalArgumentException(
            "no password given: write it as the first line of standard input, or use --password-env");
      }
      return line.toCharArray();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the password from standard input: " + e.getMessage());
    }
  }
}
