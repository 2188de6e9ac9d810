package dev.turnout.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code turnout proxy --config FILE}: the routers only, with an admin port for {@code /health}, {@code
 * /metrics} and {@code /admin/metrics.json}; no store, no dashboard, no data directory. A router follows
 * a control plane with {@code interpreter: {kind: io.l5d.namerd.http, dst: /$/inet/HOST/PORT,
 * namespace: NS}}, as Linkerd 1 follows namerd.
 */
@Command(
    name = "proxy",
    mixinStandardHelpOptions = true,
    description = "Run the routers only, following control planes (io.l5d.namerd.http); no store, no dashboard.")
final class ProxyCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", required = true, description = "YAML config (a Linkerd 1 linkerd.yml subset).")
  Path config;

  @Option(names = "--proxy-port", paramLabel = "PORT", description = "Port of the first router's first server (0 = any free port).")
  Integer proxyPort;

  @Option(names = "--admin-port", paramLabel = "PORT", description = "Port of the admin server: /health, /metrics, /admin/metrics.json (0 = any free port).")
  Integer adminPort;

  @Option(names = "--warmup", paramLabel = "SECONDS", description = "Loopback warm-up before the proxy's ports open (default " + Main.DEFAULT_WARMUP_SECONDS + "; 0 = none).")
  Integer warmupSeconds;

  @Option(
      names = "--skip-unimplemented",
      description =
          "Start without the routers whose protocol Turnout does not implement (thrift, mux, ...), saying"
              + " once what was left out; without it such a config stops start-up. Never skips tls: or a"
              + " storage kind.")
  boolean skipUnimplemented;

  @Override
  public Integer call() throws Exception {
    int warmup = warmupSeconds == null ? Main.DEFAULT_WARMUP_SECONDS : warmupSeconds;
    java.util.Optional<String> bad = Main.badFlag(warmup, proxyPort, adminPort);
    if (bad.isPresent()) {
      System.err.println("turnout: " + bad.get());
      return 2;
    }
    return Main.runUntilStopped(
        out -> ProxyProcess.start(
            new TurnoutServer.Options(
                config, Path.of("."), proxyPort, adminPort, false, Duration.ofSeconds(warmup), null, skipUnimplemented),
            out));
  }
}
