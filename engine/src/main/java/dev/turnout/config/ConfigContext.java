package dev.turnout.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the block readers of one {@link ConfigLoader} run share: the folder relative paths resolve
 * against, the data directory the store defaults to, and what reading has found so far that the
 * caller must hear about. Warnings are kept in the order first met, each once, however many blocks
 * name the same key; {@link Unimplemented} things are kept in order, every one, since each stops
 * start-up with its own line.
 */
final class ConfigContext {
  private final Path baseDir;
  private final Path dataDir;
  private final Set<String> warnings = new LinkedHashSet<>();
  private final List<Unimplemented> unimplemented = new ArrayList<>();

  ConfigContext(Path baseDir, Path dataDir) {
    this.baseDir = baseDir;
    this.dataDir = dataDir;
  }

  /** The config file's folder (the working directory for a config given as text or none at all). */
  Path baseDir() {
    return baseDir;
  }

  Path dataDir() {
    return dataDir;
  }

  /** {@code key: why (ignored)}: the key has no effect, and start-up goes on. */
  void warn(String key, String why) {
    warnings.add(key + ": " + why + " (ignored)");
  }

  /** A warning about a key that is not ignored but read in another way, worded in full by the caller. */
  void note(String line) {
    warnings.add(line);
  }

  /** Something asked for that Turnout cannot do: start-up stops on it (see {@link Unimplemented}). */
  void add(Unimplemented u) {
    unimplemented.add(u);
  }

  /**
   * {@code tls:} anywhere (a server, a client, the admin port, a control-plane link): without TLS the
   * bytes its author meant to encrypt would go in plaintext, so this stops start-up, whatever flag.
   */
  void tlsAsked(String path) {
    add(
        new Unimplemented(
            Unimplemented.Kind.TLS,
            path,
            "TLS is not implemented by Turnout yet, and this traffic would go in plaintext",
            "remove tls: to run in plaintext knowingly, or put a TLS terminator in front of Turnout"));
  }

  List<String> warnings() {
    return List.copyOf(warnings);
  }

  List<Unimplemented> unimplemented() {
    return List.copyOf(unimplemented);
  }
}
