package dev.turnout.app;

import dev.turnout.config.AdminConfig;
import dev.turnout.tls.ServerTls;
import dev.turnout.tls.TlsReloader;
import java.time.Clock;
import java.util.Optional;

/**
 * The admin port's TLS ({@code admin.tls}), shared by the control plane's and the proxy-only
 * process's admin servers: loaded and checked at start (a bad file stops start-up, naming it), then
 * watched for new files; and what {@code /health} says when new files could not be used.
 */
final class AdminTls {
  private AdminTls() {}

  /**
   * The admin port's TLS, watched by {@code reloader}; empty for plain HTTP.
   *
   * @throws dev.turnout.tls.TlsException naming the key, the file and the problem
   */
  static Optional<ServerTls> load(AdminConfig admin, TlsReloader reloader) {
    return admin.tls().map(t -> reloader.watch(ServerTls.load(t, "admin.tls", Clock.systemUTC())));
  }

  /**
   * A line per TLS block whose new files are not in force, for {@code /health}'s body: the process
   * still serves (on the files loaded before), so the status stays 200, but whoever looks sees why
   * the rotation did not take.
   */
  static String problems(TlsReloader reloader) {
    StringBuilder out = new StringBuilder();
    for (String p : reloader.problems()) {
      out.append("tls: ").append(p).append('\n');
    }
    return out.toString();
  }
}
