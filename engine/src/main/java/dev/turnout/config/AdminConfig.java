package dev.turnout.config;

import java.util.Optional;

/**
 * Where the admin server (dashboard, API, metrics) listens, and whether it serves HTTPS ({@code
 * tls}, Linkerd's {@code admin.tls}, with a server's keys).
 */
public record AdminConfig(String ip, int port, Optional<ServerTlsConfig> tls) {
  public AdminConfig {
    if (tls == null) {
      throw new IllegalArgumentException("tls is Optional.empty() for plain HTTP, not null");
    }
  }

  /** Plain HTTP. */
  public AdminConfig(String ip, int port) {
    this(ip, port, Optional.empty());
  }

  public AdminConfig withPort(int port) {
    return new AdminConfig(ip, port, tls);
  }
}
