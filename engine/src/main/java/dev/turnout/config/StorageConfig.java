package dev.turnout.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The dtab store: by default the embedded H2 file in the data directory; {@code jdbcUrl} names another
 * database, such as the PostgreSQL server a fleet's control planes share ({@code kind: postgresql}),
 * reached as {@code user} with {@code password}. {@code seeds} are namespaces to create when they do
 * not exist yet (namerd's {@code io.l5d.inMemory} {@code namespaces:}).
 */
public record StorageConfig(
    Optional<String> jdbcUrl,
    Path dataDir,
    Map<String, String> seeds,
    Optional<String> user,
    Optional<String> password) {

  public StorageConfig {
    seeds = Map.copyOf(seeds);
  }

  public StorageConfig(Optional<String> jdbcUrl, Path dataDir, Map<String, String> seeds) {
    this(jdbcUrl, dataDir, seeds, Optional.empty(), Optional.empty());
  }

  /** The same store reached at another URL (the {@code --store} flag); user and password kept. */
  public StorageConfig withJdbcUrl(String url) {
    return new StorageConfig(Optional.of(url), dataDir, seeds, user, password);
  }

  /** Whether the store is a server that other processes may share, rather than a file of this one's. */
  public boolean isShared() {
    return jdbcUrl.map(u -> u.startsWith("jdbc:postgresql:")).orElse(false);
  }

  /** The password to connect with: the config's, else {@code env} (the value of TURNOUT_STORE_PASSWORD). */
  public Optional<String> passwordOr(String env) {
    return password.or(() -> Optional.ofNullable(env).filter(p -> !p.isEmpty()));
  }

  @Override
  public String toString() {
    return "StorageConfig[jdbcUrl=" + jdbcUrl + ", dataDir=" + dataDir + ", user=" + user
        + ", password=" + password.map(p -> "***") + ", seeds=" + seeds.keySet() + "]";
  }
}
