package dev.turnout.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: a cluster made by {@code initdb} in a temporary directory,
 * run by {@code pg_ctl} on a free loopback port, removed by {@link #close}. Connections over TCP need
 * the password ({@code scram-sha-256}), as a real deployment would. When the tests run as root (as CI
 * does), the server runs as the {@code postgres} user, since PostgreSQL refuses to run as root.
 *
 * <p>The binaries are found in {@code TURNOUT_PG_BIN}, else the newest {@code
 * /usr/lib/postgresql/N/bin} (Debian's layout), else on the {@code PATH}. With none, {@link #start}
 * fails and says how to install them: a test that needs PostgreSQL never passes without it.
 */
public final class PostgresServer implements AutoCloseable {
  public static final String USER = "turnout";
  public static final String PASSWORD = "turnout-test-password";
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgresUser;

  private PostgresServer(Path bin, Path dir, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  private static PostgresServer shared;

  /**
   * One server for every test class of this JVM that only needs databases of its own (each test takes
   * {@link #newDatabase}), started on first use and removed when the JVM exits; a test that stops or
   * breaks its server starts its own with {@link #start}.
   */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      shared = start();
      PostgresServer s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "postgres-test-server"));
    }
    return shared;
  }

  /** Makes a new cluster and starts it. */
  public static PostgresServer start() {
    return start(null);
  }

  /**
   * Makes a new cluster that also takes TLS connections, presenting {@code cert} (a certificate for
   * 127.0.0.1 from {@link dev.turnout.testing.TestCerts}), and starts it.
   */
  public static PostgresServer startWithTls(dev.turnout.testing.TestCerts.Issued cert) {
    return start(cert);
  }

  private static PostgresServer start(dev.turnout.testing.TestCerts.Issued tlsCert) {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    try {
      Path dir = Files.createTempDirectory("turnout-pg-");
      Path data = dir.resolve("data");
      Path pwfile = dir.resolve("pwfile");
      Files.writeString(pwfile, PASSWORD + "\n");
      if (root) {
        UserPrincipal postgres =
            dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(dir, postgres);
        Files.setOwner(pwfile, postgres);
      }
      PostgresServer server = new PostgresServer(bin, dir, dev.turnout.testing.Ports.free(), root);
      server.run(
          List.of(
              bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--pwfile", pwfile.toString(),
              "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"));
      if (tlsCert != null) {
        // PostgreSQL reads server.crt and server.key from its data directory, and refuses a key that
        // others than its owner may read.
        Path crt = tlsCert.writeCert(data.resolve("server.crt"));
        Path key = tlsCert.writeKey(data.resolve("server.key"));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        if (root) {
          UserPrincipal postgres =
              dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
          Files.setOwner(crt, postgres);
          Files.setOwner(key, postgres);
        }
        Files.writeString(data.resolve("postgresql.conf"), "\nssl = on\n", java.nio.file.StandardOpenOption.APPEND);
      }
      server.startServer();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a PostgreSQL cluster", e);
    }
  }

  /** Starts the server again after {@link #stopServer}, on the same port with the same data. */
  public void startServer() {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(),
            "-w", "-t", "60", "-o",
            "-p " + port + " -h 127.0.0.1 -k " + dir + " -c fsync=off -c max_connections=200",
            "start"));
  }

  /** Stops the server at once (clients are disconnected), keeping its data. */
  public void stopServer() {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-m", "fast", "stop"));
  }

  public int port() {
    return port;
  }

  /** A new, empty database on this server, by its JDBC URL. */
  public String newDatabase() {
    String name = "turnout_" + DATABASES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, PASSWORD);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name + " STRATEGY = FILE_COPY");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
    }
    return url(name);
  }

  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  @Override
  public void close() {
    try {
      stopServer();
    } catch (RuntimeException e) {
      // already stopped, or never started: the directory goes all the same
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void run(List<String> command) {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    try {
      Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        String log = Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "";
        throw new IllegalStateException(
            String.join(" ", command) + " failed:\n" + new String(out, StandardCharsets.UTF_8) + log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command.get(0), e);
    }
  }

  private static Path binaries() {
    String env = System.getenv("TURNOUT_PG_BIN");
    if (env != null && Files.isExecutable(Path.of(env, "initdb"))) {
      return Path.of(env);
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        var newest =
            versions
                .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                .max(Comparator.comparingInt(v -> major(v.getFileName().toString())));
        if (newest.isPresent()) {
          return newest.get().resolve("bin");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "initdb")) && Files.isExecutable(Path.of(d, "pg_ctl"))) {
        return Path.of(d);
      }
    }
    throw new IllegalStateException(
        "PostgreSQL's initdb and pg_ctl were not found (TURNOUT_PG_BIN, /usr/lib/postgresql/*/bin, PATH):"
            + " install Debian's postgresql package (.ci/run does) to run the PostgreSQL tests");
  }

  private static int major(String name) {
    try {
      return Integer.parseInt(name);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
