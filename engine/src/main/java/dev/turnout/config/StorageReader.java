package dev.turnout.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.DtabParseException;
import dev.turnout.store.Namespaces;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code storage:} block, Turnout's own key: {@code kind: h2} (the default: a file in the data
 * directory, or {@code path}, or an H2 {@code jdbcUrl}), {@code kind: postgresql} (a {@code url} that a
 * fleet's control planes share), or namerd's {@code io.l5d.inMemory}, which is the default H2 store here.
 * Its {@code namespaces:} (namerd's seeds) are checked as dtabs now, so a typo stops start-up rather
 * than the first request. Any other kind is {@link Unimplemented}: another store than the one named
 * would hold routes no other process sees.
 */
final class StorageReader {
  private StorageReader() {}

  static StorageConfig read(ConfigContext context, YamlNode n) {
    n.only("kind", "path", "jdbcUrl", "url", "user", "password", "namespaces");
    String kind = n.text("kind", "h2");
    Path dir = context.dataDir();
    Optional<String> url = Optional.empty();
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    switch (kind) {
      case "postgresql":
        String u = n.requiredText("url");
        if (!u.startsWith("jdbc:postgresql://")) {
          throw new ConfigException(n.path + ".url: must be jdbc:postgresql://HOST:PORT/DATABASE, not " + u);
        }
        url = Optional.of(u);
        user = n.has("user") ? Optional.of(n.requiredText("user")) : Optional.empty();
        password = n.has("password") ? Optional.of(n.requiredText("password")) : Optional.empty();
        break;
      case "h2":
        if (n.has("path")) {
          dir = context.baseDir().resolve(n.requiredText("path")).normalize();
        }
        if (n.has("jdbcUrl")) {
          String h2 = n.requiredText("jdbcUrl");
          if (!h2.startsWith("jdbc:h2:")) {
            throw new ConfigException(
                n.path + ".jdbcUrl: must be an H2 URL (jdbc:h2:...); for PostgreSQL use kind: postgresql with url:");
          }
          url = Optional.of(h2);
        }
        break;
      case "io.l5d.inMemory":
        break;
      default:
        context.add(
            new Unimplemented(
                Unimplemented.Kind.STORAGE,
                n.path + ".kind",
                "storage kind " + kind + " is not implemented by Turnout",
                "use kind: postgresql (url: jdbc:postgresql://HOST:PORT/DB) for a store that several control"
                    + " planes share, or kind: h2 for one process's own"));
    }
    return new StorageConfig(url, dir, seeds(n.get("namespaces")), user, password);
  }

  /** namerd's {@code namespaces:}, a mapping of namespace name to dtab text, in the order written. */
  private static Map<String, String> seeds(YamlNode ns) {
    Map<String, String> seeds = new LinkedHashMap<>();
    if (ns.isMissing()) {
      return seeds;
    }
    if (!ns.node.isObject()) {
      throw new ConfigException(ns.path + ": must map namespace names to dtab text");
    }
    Iterator<Map.Entry<String, JsonNode>> it = ns.node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String where = ns.path + "." + e.getKey();
      if (!Namespaces.isValid(e.getKey())) {
        throw new ConfigException(where + ": namespace names must match " + Namespaces.RULE);
      }
      if (!e.getValue().isTextual()) {
        throw new ConfigException(where + ": must be dtab text");
      }
      try {
        Dtab.read(e.getValue().asText());
      } catch (DtabParseException ex) {
        throw new ConfigException(where + ": " + ex.located());
      }
      seeds.put(e.getKey(), e.getValue().asText());
    }
    return seeds;
  }
}
