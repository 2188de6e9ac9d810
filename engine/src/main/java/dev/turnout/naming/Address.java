package dev.turnout.naming;

import java.util.Map;

/**
 * One endpoint of a bound name: a host and port, its load-balancing weight (1 unless an {@code io.l5d.fs}
 * line says {@code host port * weight}) and free-form metadata.
 */
public record Address(String host, int port, double weight, Map<String, String> meta) {
  public Address {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("an address needs a host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535, not " + port);
    }
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("weight must be a finite number >= 0, not " + weight);
    }
    meta = Map.copyOf(meta);
  }

  public Address(String host, int port) {
    this(host, port, 1.0, Map.of());
  }

  /** {@code host:port}. */
  public String hostPort() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
