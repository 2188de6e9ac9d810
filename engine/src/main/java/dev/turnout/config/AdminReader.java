package dev.turnout.config;

import java.util.Optional;

/**
 * The {@code admin:} block: where the dashboard, the API and the metrics listen (127.0.0.1:9990), and
 * with {@code tls:} (a server's keys, as Linkerd's admin takes them) over HTTPS only.
 */
final class AdminReader {
  private AdminReader() {}

  static AdminConfig read(ConfigContext context, YamlNode n) {
    n.only("ip", "port", "tls");
    YamlNode tls = n.get("tls");
    return new AdminConfig(
        n.text("ip", "127.0.0.1"),
        n.port("port", 9990),
        tls.isMissing() ? Optional.empty() : Optional.of(TlsReader.server(context, tls)));
  }
}
