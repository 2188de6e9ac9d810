package dev.turnout.config;

/** The {@code admin:} block: where the dashboard, the API and the metrics listen (127.0.0.1:9990). */
final class AdminReader {
  private AdminReader() {}

  static AdminConfig read(YamlNode n) {
    n.only("ip", "port");
    return new AdminConfig(n.text("ip", "127.0.0.1"), n.port("port", 9990));
  }
}
