package dev.turnout.app;

import dev.turnout.config.ConfigException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar turnout.jar [flags]} runs Turnout: the proxy, the store and the dashboard in one
 * process. Subcommands check and test dtabs ({@code dtab}) and manage users ({@code user}). A bad flag or
 * config prints what is wrong and exits 2 without starting anything; SIGTERM drains and exits 0.
 */
@Command(
    name = "turnout",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Dtab-driven HTTP routing proxy, dtab store and operator dashboard.",
    subcommands = {})
public final class Main implements Callable<Integer> {

  @Option(names = "--proxy-port", paramLabel = "PORT", description = "Port of the first router's first server (default 4140; 0 = any free port).")
  Integer proxyPort;

  @Option(names = "--admin-port", paramLabel = "PORT", description = "Port of the admin server: dashboard, /api/1, metrics (default 9990; 0 = any free port).")
  Integer adminPort;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "./data", description = "Data directory of the embedded store (default ./data).")
  Path data;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML config (a Linkerd 1 linkerd.yml subset).")
  Path config;

  @Option(names = "--demo", description = "Also start demo backends, a demo dtab and light steady traffic.")
  boolean demo;

  @Option(
      names = "--warmup",
      paramLabel = "SECONDS",
      description =
          "Before the proxy's ports open, run loopback traffic through its request path for at most this"
              + " long, so the first real requests are served at full speed (default "
              + DEFAULT_WARMUP_SECONDS + "; 0 with --demo; 0 = no warm-up).")
  Integer warmupSeconds;

  @Option(
      names = "--store",
      paramLabel = "URL",
      description =
          "The store's database instead of the data directory's H2 file: jdbc:postgresql://HOST:PORT/DB, shared"
              + " by the control planes of a fleet (password from " + TurnoutServer.STORE_PASSWORD_ENV + ").")
  String store;

  @Option(
      names = "--skip-unimplemented",
      description =
          "Start without the routers whose protocol Turnout does not implement (thrift, mux, ...), saying"
              + " once what was left out; without it such a config stops start-up. Never skips tls: or a"
              + " storage kind.")
  boolean skipUnimplemented;

  /** Long enough for the JIT compiler to finish the request path on a two-core machine. */
  static final int DEFAULT_WARMUP_SECONDS = 15;

  public static void main(String[] args) {
    // Undertow and XNIO log through JBoss Logging; send it to SLF4J so one config quiets them all.
    System.setProperty("org.jboss.logging.provider", "slf4j");
    Demo.allowHostHeader();
    System.exit(commandLine().execute(args));
  }

  /** The command line with every subcommand, as {@code main} runs it. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    Subcommands.addTo(cl);
    return cl;
  }

  @Override
  public Integer call() throws Exception {
    int warmup = warmupSeconds != null ? warmupSeconds : demo ? 0 : DEFAULT_WARMUP_SECONDS;
    Optional<String> bad = badFlag(warmup, proxyPort, adminPort);
    if (bad.isPresent()) {
      System.err.println("turnout: " + bad.get());
      return 2;
    }
    TurnoutServer.Options options =
        new TurnoutServer.Options(
            config, data, proxyPort, adminPort, demo, java.time.Duration.ofSeconds(warmup), store, skipUnimplemented);
    return runUntilStopped(out -> TurnoutServer.start(options, out));
  }

  /** What is wrong with a warm-up or port flag, if anything: the same rules for every command. */
  static Optional<String> badFlag(int warmup, Integer... ports) {
    if (warmup < 0 || warmup > 600) {
      return Optional.of("--warmup must be 0-600 seconds, not " + warmup);
    }
    for (Integer p : ports) {
      if (p != null && (p < 0 || p > 65535)) {
        return Optional.of("ports must be 0-65535, not " + p);
      }
    }
    return Optional.empty();
  }

  /** What a command starts; closing it stops it. */
  @FunctionalInterface
  interface Process {
    AutoCloseable start(java.io.PrintStream out);
  }

  /**
   * Starts {@code process} and waits until SIGTERM or the JVM's shutdown, then closes it: 0 after a
   * clean stop, 2 when it could not start (the reason printed).
   */
  static int runUntilStopped(Process process) throws InterruptedException {
    // Handlers first: a SIGTERM during start-up (the warm-up takes seconds) still exits 0.
    AtomicReference<AutoCloseable> running = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop = () -> {
      AutoCloseable s = running.getAndSet(null);
      if (s != null) {
        try {
          s.close();
        } catch (Exception e) {
          System.err.println("turnout: while stopping: " + e);
        }
      }
      stopped.countDown();
    };
    Signals.onTerminate(stop);
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "turnout-shutdown"));
    try {
      running.set(process.start(System.out));
    } catch (ConfigException | TurnoutServer.StartupException e) {
      System.err.println("turnout: " + e.getMessage());
      return 2;
    }
    stopped.await();
    return 0;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"turnout " + (v == null ? "development build" : v)};
    }
  }
}
