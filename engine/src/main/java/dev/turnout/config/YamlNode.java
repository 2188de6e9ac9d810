package dev.turnout.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;

/**
 * A YAML node with its YAML path ({@code routers[0].servers[1]}), so every message a block reader
 * throws starts with where the bad value is. A missing child is a missing node, never null: a reader
 * asks for what it wants and gets the default when the key is absent or {@code null}. Each typed read
 * ({@link #port}, {@link #millis}, ...) checks the value and names the key's path when it is wrong.
 */
final class YamlNode {
  /** Keys of a Linkerd 1 config that Turnout reads past, with a warning that they have no effect. */
  private static final Set<String> LINKERD_KEYS_NOT_IMPLEMENTED =
      Set.of(
          "httpInterfaceWhitelist", "shutdownGraceMs", "socketOptions", "workerThreads",
          "experimental", "transformers", "bindingCache", "originator", "announcers", "announce",
          "maxHeadersKB", "maxInitialLineKB", "maxRequestKB", "maxResponseKB", "streamingEnabled",
          "compressionLevel", "timeoutMs", "tracePropagator", "httpAccessLog", "loggers",
          "addForwardedHeader", "maxConcurrentRequests", "hostConnectionPool",
          "requestAttemptTimeoutMs", "kind", "retries", "clientSession", "totalTimeoutMs", "root",
          "retry", "backoff", "window", "decayTimeMs", "maxEffort", "enableProbation", "maxChunkKB",
          "failFast", "responseClassifier", "engine", "thriftFramed", "thriftMethodInDst",
          "smoothWindowMs", "lowLoad", "highLoad", "minAperture", "requestAuthorizers", "forwardClientCert");

  final String path;
  final JsonNode node;
  private final ConfigContext context;

  YamlNode(ConfigContext context, String path, JsonNode node) {
    this.context = context;
    this.path = path;
    this.node = node == null ? MissingNode.getInstance() : node;
  }

  boolean isMissing() {
    return node.isMissingNode() || node.isNull();
  }

  boolean has(String key) {
    return node.isObject() && node.has(key) && !node.get(key).isNull();
  }

  YamlNode get(String key) {
    String p = path.isEmpty() ? key : path + "." + key;
    if (!isMissing() && !node.isObject()) {
      throw new ConfigException(path + ": must be a mapping");
    }
    return new YamlNode(context, p, isMissing() ? null : node.get(key));
  }

  int size() {
    if (isMissing()) {
      return 0;
    }
    if (!node.isArray()) {
      throw new ConfigException(path + ": must be a list");
    }
    return node.size();
  }

  YamlNode at(int i) {
    return new YamlNode(context, path + "[" + i + "]", node.get(i));
  }

  /**
   * Warns once about each key not in {@code known}: a Linkerd 1 key Turnout does not implement says
   * so, anything else is unknown; {@code tls:} is recorded as {@link Unimplemented}, since ignoring
   * it would send in plaintext what its author meant to encrypt.
   */
  void only(String... known) {
    if (isMissing()) {
      return;
    }
    if (!node.isObject()) {
      throw new ConfigException(path + ": must be a mapping");
    }
    Set<String> ok = Set.of(known);
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (name.equals("tls") && !ok.contains(name)) {
        context.tlsAsked(path.isEmpty() ? name : path + "." + name);
      } else if (!ok.contains(name)) {
        context.warn(
            path.isEmpty() ? name : path + "." + name,
            LINKERD_KEYS_NOT_IMPLEMENTED.contains(name) ? "not implemented by Turnout" : "unknown key");
      }
    }
  }

  String text(String key, String dflt) {
    YamlNode c = get(key);
    if (c.isMissing()) {
      return dflt;
    }
    if (!c.node.isValueNode()) {
      throw new ConfigException(c.path + ": must be a single value");
    }
    return c.node.asText();
  }

  /** A list of single values ({@code ciphers: [A, B]}); empty when absent. */
  java.util.List<String> texts(String key) {
    YamlNode c = get(key);
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < c.size(); i++) {
      YamlNode item = c.at(i);
      if (!item.node.isValueNode() || item.node.isNull()) {
        throw new ConfigException(item.path + ": must be a single value");
      }
      out.add(item.node.asText());
    }
    return java.util.List.copyOf(out);
  }

  String requiredText(String key) {
    String v = text(key, null);
    if (v == null || v.isBlank()) {
      throw new ConfigException(get(key).path + ": is required");
    }
    return v;
  }

  boolean bool(String key, boolean dflt) {
    YamlNode c = get(key);
    if (c.isMissing()) {
      return dflt;
    }
    if (!c.node.isBoolean()) {
      throw new ConfigException(c.path + ": must be true or false");
    }
    return c.node.booleanValue();
  }

  double number(String key, double dflt) {
    YamlNode c = get(key);
    if (c.isMissing()) {
      return dflt;
    }
    if (!c.node.isNumber()) {
      throw new ConfigException(c.path + ": must be a number");
    }
    return c.node.doubleValue();
  }

  long integer(String key, long dflt) {
    YamlNode c = get(key);
    if (c.isMissing()) {
      return dflt;
    }
    if (!c.node.isIntegralNumber() || !c.node.canConvertToLong()) {
      throw new ConfigException(c.path + ": must be a whole number");
    }
    return c.node.longValue();
  }

  int port(String key, int dflt) {
    long v = integer(key, dflt);
    if (v < 0 || v > 65535) {
      throw new ConfigException(get(key).path + ": must be 1-65535 (or 0 for any free port)");
    }
    return (int) v;
  }

  int positiveInt(String key, int dflt) {
    long v = integer(key, dflt);
    if (v < 1 || v > Integer.MAX_VALUE) {
      throw new ConfigException(get(key).path + ": must be a positive whole number");
    }
    return (int) v;
  }

  int nonNegativeInt(String key, int dflt) {
    long v = integer(key, dflt);
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw new ConfigException(get(key).path + ": must be zero or more");
    }
    return (int) v;
  }

  Duration millis(String key, Duration dflt) {
    long v = integer(key, dflt.toMillis());
    if (v < 1) {
      throw new ConfigException(get(key).path + ": must be at least 1 ms");
    }
    return Duration.ofMillis(v);
  }

  Path path(String key, Path dflt) {
    String v = text(key, null);
    if (v == null) {
      return dflt;
    }
    try {
      return Path.read(v);
    } catch (DtabParseException e) {
      throw new ConfigException(get(key).path + ": not a path: " + e.getMessage());
    }
  }

  Path requiredPath(String key) {
    requiredText(key);
    return path(key, null);
  }
}
