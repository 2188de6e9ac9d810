package dev.turnout.config;

import java.util.Map;
import java.util.Optional;

/**
 * The dtab store: an H2 database, by default a file in the data directory; {@code jdbcUrl} names another
 * (a shared server, say). {@code seeds} are namespaces to create when they do not exist yet (namerd's
 * {@code io.l5d.inMemory} {@code namespaces:}).
 */
public record StorageConfig(Optional<String> jdbcUrl, java.nio.file.Path dataDir, Map<String, String> seeds) {
  public StorageConfig {
    seeds = Map.copyOf(seeds);
  }
}
