package dev.turnout.app;

import dev.turnout.config.AdminConfig;
import dev.turnout.config.ConfigLoader;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.TurnoutConfig;
import io.javalin.Javalin;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Turnout: the store, the namers, the routers' proxy servers and the admin server, built
 * from a config and the command-line flags, and closed in reverse order. Flags win over the config:
 * {@code --proxy-port} moves the first router's first server, {@code --admin-port} the admin server.
 */
public final class TurnoutServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TurnoutServer.class);

  /** What the command line asked for; null fields mean "as the config says". */
  public record Options(Path config, Path data, Integer proxyPort, Integer adminPort, boolean demo) {}

  /** Turnout could not start; the message says why, for the operator. */
  public static final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final TurnoutConfig config;
  private Javalin admin;

  private TurnoutServer(TurnoutConfig config) {
    this.config = config;
  }

  /** Starts everything, printing one line per bound port to {@code out}. */
  public static TurnoutServer start(Options options, PrintStream out) {
    TurnoutConfig config = configure(options);
    for (String warning : config.warnings()) {
      out.println("turnout: warning: " + warning);
    }
    TurnoutServer server = new TurnoutServer(config);
    try {
      server.startAll(out);
    } catch (RuntimeException e) {
      server.close();
      throw e instanceof StartupException ? e : new StartupException(describe(e), e);
    }
    return server;
  }

  private static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  static TurnoutConfig configure(Options options) {
    Path data = options.data() == null ? Path.of("data") : options.data();
    TurnoutConfig base =
        options.config() == null ? ConfigLoader.defaults(data) : ConfigLoader.load(options.config(), data);
    List<RouterConfig> routers = new ArrayList<>(base.routers());
    if (options.proxyPort() != null) {
      routers.set(0, routers.get(0).withFirstServerPort(options.proxyPort()));
    }
    AdminConfig admin = base.admin();
    if (options.adminPort() != null) {
      admin = new AdminConfig(admin.ip(), options.adminPort());
    }
    return new TurnoutConfig(admin, base.namers(), routers, base.storage(), base.warnings());
  }

  private void startAll(PrintStream out) {
    AdminConfig adminConfig = config.admin();
    admin =
        Javalin.create(
            c -> {
              c.startup.showJavalinBanner = false;
              c.routes.get("/health", ctx -> ctx.result("ok"));
            });
    admin.start(adminConfig.ip(), adminConfig.port());
    resources.add(admin::stop);
    out.println("turnout: admin listening on " + adminConfig.ip() + ":" + admin.port());
  }

  public int adminPort() {
    return admin.port();
  }

  static boolean isLoopback(String ip) {
    try {
      return InetAddress.getByName(ip).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Stops accepting, lets in-flight requests finish (bounded), then closes the store. */
  @Override
  public synchronized void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        log.warn("while stopping: {}", e.toString());
      }
    }
    resources.clear();
  }
}
