package dev.turnout.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * TLS on a listening port, with Linkerd 1's keys (its {@code TlsServerConfig}): the certificate and
 * its unencrypted private key, the intermediates sent after it, and, with {@code requireClientAuth},
 * the CAs a client's certificate must chain to ({@code caCertPath}; without it the JDK's default
 * ones). Empty {@code ciphers} or {@code protocols} mean the defaults: the JDK's cipher suites, TLS
 * 1.3 and 1.2. There is no {@code enabled} key: a server has TLS exactly when it has this block.
 */
public record ServerTlsConfig(
    Path certPath,
    Path keyPath,
    Optional<Path> intermediateCertsPath,
    Optional<Path> caCertPath,
    boolean requireClientAuth,
    List<String> ciphers,
    List<String> protocols) {

  public ServerTlsConfig {
    if (certPath == null || keyPath == null) {
      throw new IllegalArgumentException("certPath and keyPath are required");
    }
    if (intermediateCertsPath == null || caCertPath == null) {
      throw new IllegalArgumentException("absent paths are Optional.empty(), not null");
    }
    ciphers = List.copyOf(ciphers);
    protocols = List.copyOf(protocols);
  }

  /** A certificate and key with every other key at its default. */
  public static ServerTlsConfig of(Path certPath, Path keyPath) {
    return new ServerTlsConfig(certPath, keyPath, Optional.empty(), Optional.empty(), false, List.of(), List.of());
  }
}
