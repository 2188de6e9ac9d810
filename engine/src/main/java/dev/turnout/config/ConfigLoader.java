package dev.turnout.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the YAML configuration, the useful subset of a Linkerd 1 {@code linkerd.yml} (and namerd's
 * {@code io.l5d.inMemory} storage). Keys Turnout implements are validated, and a bad value is a {@link
 * ConfigException} that starts with its YAML path ({@code routers[0].servers[0].port: must be
 * 1-65535}). Keys it does not implement (usage, telemetry kinds other than io.l5d.prometheus, unknown
 * kinds) become warnings naming the key, and are otherwise ignored, so an existing Linkerd config
 * starts as it is; what cannot be ignored without doing something else than asked ({@code tls:}, a
 * storage kind, a router protocol) is recorded as {@link Unimplemented}.
 *
 * <p>Each top-level block has its own reader ({@link AdminReader}, {@link NamerReader}, {@link
 * RouterReader} with the identifier, interpreter, client and service readers of each router, {@link
 * StorageReader}, {@link TelemetryReader}); this class only reads the text and assembles their results.
 * Warnings come in the order the blocks are read: the top-level keys, then admin, namers, routers
 * and storage.
 */
public final class ConfigLoader {
  /** Top-level blocks of a Linkerd or namerd config that Turnout reads past, each with one warning. */
  private static final List<String> IGNORED_BLOCKS = List.of("usage", "interfaces", "namerd");

  private ConfigLoader() {}

  /** The configuration used when no file is given: one HTTP router on 127.0.0.1:4140, admin on 9990. */
  public static TurnoutConfig defaults(Path dataDir) {
    return build(MissingNode.getInstance(), Path.of("."), dataDir);
  }

  /** Reads {@code file}; relative paths in it (namer {@code rootDir}) are taken from the file's folder. */
  public static TurnoutConfig load(Path file, Path dataDir) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, dir == null ? Path.of(".") : dir, dataDir);
  }

  /** Parses YAML text; relative paths resolve against {@code baseDir}. */
  public static TurnoutConfig parse(String yaml, Path baseDir, Path dataDir) {
    return build(YamlText.read(yaml), baseDir, dataDir);
  }

  private static TurnoutConfig build(JsonNode root, Path baseDir, Path dataDir) {
    ConfigContext context = new ConfigContext(baseDir, dataDir);
    YamlNode top = new YamlNode(context, "", root);
    top.only("admin", "namers", "routers", "storage", "telemetry", "usage", "interfaces", "namerd");
    List<PrometheusTelemetry> telemetry = TelemetryReader.read(context, top.get("telemetry"));
    TracingConfig tracing = TelemetryReader.tracing(context, top.get("telemetry"));
    for (String ignored : IGNORED_BLOCKS) {
      if (top.has(ignored)) {
        context.warn(ignored, "not implemented by Turnout");
      }
    }
    AdminConfig admin = AdminReader.read(context, top.get("admin"));
    List<NamerConfig> namers = NamerReader.readAll(context, top.get("namers"));
    List<RouterConfig> routers = RouterReader.readAll(context, top.get("routers"));
    StorageConfig storage = StorageReader.read(context, top.get("storage"));
    return new TurnoutConfig(
        admin, namers, routers, storage, telemetry, tracing, context.warnings(), context.unimplemented());
  }
}
