package dev.turnout.config;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the YAML configuration, the useful subset of a Linkerd 1 {@code linkerd.yml} (and namerd's
 * {@code io.l5d.inMemory} storage). Keys Turnout implements are validated, and a bad value is a {@link
 * ConfigException} that starts with its YAML path ({@code routers[0].servers[0].port: must be
 * 1-65535}). Keys it does not implement (telemetry, usage, unknown kinds) become warnings naming the
 * key, and are otherwise ignored, so an existing Linkerd config starts as it is.
 */
public final class ConfigLoader {
  private static ServerConfig.Overrides overrides(Node server) {
    String v = server.text("dtabOverrides", "accept");
    switch (v) {
      case "accept":
        return ServerConfig.Overrides.ACCEPT;
      case "loopback":
        return ServerConfig.Overrides.LOOPBACK;
      case "refuse":
        return ServerConfig.Overrides.REFUSE;
      default:
        throw new ConfigException(server.path + ".dtabOverrides: must be accept, loopback or refuse, not " + v);
    }
  }

  /**
   * Refuses a key given twice in one mapping (two {@code routers:} blocks), which YAML parsers would
   * otherwise settle by silently keeping the last.
   */
  private static final ObjectMapper YAML =
      new ObjectMapper(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

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
          "failFast", "responseClassifier", "engine", "thriftFramed", "thriftMethodInDst");

  private final java.nio.file.Path baseDir;
  private final java.nio.file.Path dataDir;
  private final Set<String> warnings = new LinkedHashSet<>();
  private final List<Unimplemented> unimplemented = new ArrayList<>();

  private ConfigLoader(java.nio.file.Path baseDir, java.nio.file.Path dataDir) {
    this.baseDir = baseDir;
    this.dataDir = dataDir;
  }

  /** {@code routers: given twice in one mapping (line 9, column 1)...}, with the key's YAML path. */
  private static String duplicateKey(JsonParseException e) {
    String path = "";
    JsonParser p = e.getProcessor();
    if (p != null) {
      java.util.Deque<String> parts = new java.util.ArrayDeque<>();
      for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
        parts.push(c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.getCurrentName());
      }
      path = String.join("", parts).replaceFirst("^\\.", "");
    }
    return (path.isEmpty() ? "config" : path)
        + ": given twice in one mapping"
        + where(e)
        + "; YAML would keep only the last, so Turnout refuses both: remove or merge one";
  }

  private static String at(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  private static String where(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
  }

  /** The configuration used when no file is given: one HTTP router on 127.0.0.1:4140, admin on 9990. */
  public static TurnoutConfig defaults(java.nio.file.Path dataDir) {
    return new ConfigLoader(java.nio.file.Path.of("."), dataDir).build(MissingNode.getInstance());
  }

  /** Reads {@code file}; relative paths in it (namer {@code rootDir}) are taken from the file's folder. */
  public static TurnoutConfig load(java.nio.file.Path file, java.nio.file.Path dataDir) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    java.nio.file.Path dir = file.toAbsolutePath().getParent();
    return parse(text, dir == null ? java.nio.file.Path.of(".") : dir, dataDir);
  }

  /** Parses YAML text; relative paths resolve against {@code baseDir}. */
  public static TurnoutConfig parse(String yaml, java.nio.file.Path baseDir, java.nio.file.Path dataDir) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonParseException e) {
      if (e.getOriginalMessage().startsWith("Duplicate field")) {
        throw new ConfigException(duplicateKey(e));
      }
      throw new ConfigException("config is not valid YAML" + at(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException("config is not valid YAML" + at(e) + ": " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      root = MissingNode.getInstance();
    } else if (!root.isObject()) {
      throw new ConfigException("config: must be a mapping of keys (admin, namers, routers, storage)");
    }
    return new ConfigLoader(baseDir, dataDir).build(root);
  }

  private TurnoutConfig build(JsonNode root) {
    Node top = new Node("", root);
    top.only("admin", "namers", "routers", "storage", "telemetry", "usage", "interfaces", "namerd");
    for (String ignored : List.of("telemetry", "usage", "interfaces", "namerd")) {
      if (top.has(ignored)) {
        warn(ignored, "not implemented by Turnout");
      }
    }
    AdminConfig admin = admin(top.get("admin"));
    List<NamerConfig> namers = new ArrayList<>();
    Node namersNode = top.get("namers");
    for (int i = 0; i < namersNode.size(); i++) {
      namer(namersNode.at(i)).ifPresent(namers::add);
    }
    List<RouterConfig> routers = new ArrayList<>();
    Node routersNode = top.get("routers");
    if (routersNode.isMissing()) {
      routers.add(router(new Node("routers[0]", MissingNode.getInstance()), 0).orElseThrow());
    } else {
      if (routersNode.size() == 0) {
        throw new ConfigException("routers: must list at least one router");
      }
      for (int i = 0; i < routersNode.size(); i++) {
        router(routersNode.at(i), i).ifPresent(routers::add);
      }
    }
    checkUnique(routers);
    StorageConfig storage = storage(top.get("storage"));
    return new TurnoutConfig(admin, namers, routers, storage, List.copyOf(warnings), unimplemented);
  }

  private AdminConfig admin(Node n) {
    n.only("ip", "port");
    return new AdminConfig(n.text("ip", "127.0.0.1"), n.port("port", 9990));
  }

  private Optional<NamerConfig> namer(Node n) {
    String kind = n.requiredText("kind");
    if (!kind.equals("io.l5d.fs")) {
      warn(n.path + ".kind", "namer kind " + kind + " is not implemented by Turnout; names under it bind to nothing");
      return Optional.empty();
    }
    n.only("kind", "rootDir", "prefix");
    Path prefix = Path.of("#").concat(n.path("prefix", Path.of(kind)));
    String root = n.requiredText("rootDir");
    java.nio.file.Path dir = baseDir.resolve(root).normalize();
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(n.path + ".rootDir: " + dir + " is not a directory");
    }
    return Optional.of(new NamerConfig(kind, prefix, dir));
  }

  /** The router, or empty (recorded as {@link Unimplemented}) for a protocol Turnout does not implement. */
  private Optional<RouterConfig> router(Node n, int index) {
    n.only(
        "protocol", "label", "dtab", "identifier", "dstPrefix", "interpreter", "servers", "client",
        "service", "bindingTimeoutMs", "requestTimeoutMs", "maxCallDepth", "skipUnavailableAlternatives",
        "baseDtab");
    String protocol = n.text("protocol", "http");
    if (!protocol.equals("http")) {
      unimplemented.add(
          new Unimplemented(
              Unimplemented.Kind.ROUTER,
              n.path + ".protocol",
              "protocol " + protocol + " is not implemented by Turnout (its routers serve http)",
              "remove this router, or start with --skip-unimplemented to run the others without it"));
      return Optional.empty();
    }
    String label = n.text("label", protocol);
    // baseDtab is what Linkerd's router config called dtab before 1.0 (RouterConfig's var baseDtab);
    // its own examples still use it, so it is read as dtab, with a warning.
    String dtab = n.text("dtab", "");
    if (n.has("baseDtab")) {
      if (n.has("dtab")) {
        throw new ConfigException(n.path + ".baseDtab: give either dtab or baseDtab (its old name), not both");
      }
      warnings.add(n.path + ".baseDtab: the name Linkerd gave dtab before 1.0; read as dtab");
      dtab = n.text("baseDtab", "");
    }
    try {
      Dtab.read(dtab);
    } catch (DtabParseException e) {
      throw new ConfigException(n.path + (n.has("baseDtab") ? ".baseDtab: " : ".dtab: ") + e.located());
    }
    Path dstPrefix = n.path("dstPrefix", Path.of("svc"));
    List<IdentifierConfig> identifiers = new ArrayList<>();
    Node id = n.get("identifier");
    if (id.isMissing()) {
      identifiers.add(new IdentifierConfig("io.l5d.header.token", "Host", dstPrefix, 0, false, false, null));
    } else if (id.node.isArray()) {
      for (int i = 0; i < id.size(); i++) {
        identifier(id.at(i), dstPrefix).ifPresent(identifiers::add);
      }
    } else {
      identifier(id, dstPrefix).ifPresent(identifiers::add);
    }
    if (identifiers.isEmpty()) {
      throw new ConfigException(n.path + ".identifier: no identifier Turnout implements is configured");
    }
    InterpreterConfig interpreter = interpreter(n.get("interpreter"));
    List<ServerConfig> servers = new ArrayList<>();
    Node serversNode = n.get("servers");
    if (serversNode.isMissing() || serversNode.size() == 0) {
      servers.add(new ServerConfig("127.0.0.1", 4140 + index, false));
    } else {
      for (int i = 0; i < serversNode.size(); i++) {
        Node s = serversNode.at(i);
        s.only("ip", "port", "clearContext", "dtabOverrides");
        servers.add(
            new ServerConfig(
                s.text("ip", "127.0.0.1"), s.port("port", 4140), s.bool("clearContext", false), overrides(s)));
      }
    }
    return Optional.of(
        new RouterConfig(
        label,
        protocol,
        dtab,
        identifiers,
        dstPrefix,
        interpreter,
        servers,
        client(n.get("client")),
        service(n.get("service")),
        n.millis("bindingTimeoutMs", Duration.ofSeconds(10)),
        n.millis("requestTimeoutMs", Duration.ofSeconds(10)),
        n.positiveInt("maxCallDepth", 1000),
        n.bool("skipUnavailableAlternatives", true)));
  }

  private Optional<IdentifierConfig> identifier(Node n, Path dstPrefix) {
    String kind = n.requiredText("kind");
    n.only("kind", "header", "prefix", "segments", "consume", "httpUriInDst", "path");
    Path prefix = n.path("prefix", dstPrefix);
    switch (kind) {
      case "io.l5d.header.token":
        return Optional.of(new IdentifierConfig(kind, n.text("header", "Host"), prefix, 0, false, false, null));
      case "io.l5d.header":
        return Optional.of(new IdentifierConfig(kind, n.text("header", "l5d-name"), prefix, 0, false, false, null));
      case "io.l5d.methodAndHost":
        return Optional.of(
            new IdentifierConfig(kind, null, prefix, 0, false, n.bool("httpUriInDst", false), null));
      case "io.l5d.path":
        return Optional.of(
            new IdentifierConfig(kind, null, prefix, n.positiveInt("segments", 1), n.bool("consume", false), false, null));
      case "io.l5d.static":
        return Optional.of(new IdentifierConfig(kind, null, prefix, 0, false, false, n.requiredPath("path")));
      default:
        warn(n.path + ".kind", "identifier kind " + kind + " is not implemented by Turnout");
        return Optional.empty();
    }
  }

  private InterpreterConfig interpreter(Node n) {
    if (n.isMissing()) {
      return new InterpreterConfig(InterpreterConfig.DEFAULT, null);
    }
    String kind = n.requiredText("kind");
    switch (kind) {
      case "default":
        n.only("kind");
        return new InterpreterConfig(InterpreterConfig.DEFAULT, null);
      case "io.l5d.namerd":
      case "io.l5d.namerd.http":
      case "io.l5d.mesh":
      case "turnout.store":
        n.only("kind", "namespace", "dst", "retry", "experimental");
        String ns = n.text("namespace", "default");
        if (!ns.matches("[A-Za-z0-9_.-]{1,64}")) {
          throw new ConfigException(n.path + ".namespace: must match [A-Za-z0-9_.-]{1,64}, not '" + ns + "'");
        }
        if (kind.equals("io.l5d.namerd.http") && n.has("dst")) {
          Node retry = n.get("retry");
          retry.only("baseSeconds", "maxSeconds");
          Duration base = Duration.ofSeconds(retry.positiveInt("baseSeconds", 1));
          Duration max = Duration.ofSeconds(retry.positiveInt("maxSeconds", 10));
          if (max.compareTo(base) < 0) {
            throw new ConfigException(retry.path + ".maxSeconds: must not be less than baseSeconds");
          }
          return new InterpreterConfig(
              InterpreterConfig.REMOTE, ns, controlPlanes(n.path + ".dst", n.requiredText("dst")), base, max);
        }
        if (n.has("dst")) {
          warn(n.path + ".dst", "Turnout serves namespaces from its own store; dst is ignored"
              + " (io.l5d.namerd.http follows a control plane at dst)");
        }
        return new InterpreterConfig(InterpreterConfig.STORE, ns);
      default:
        warn(
            n.path + ".kind",
            "interpreter kind " + kind + " is not implemented by Turnout; the router routes by its own dtab only");
        return new InterpreterConfig(InterpreterConfig.DEFAULT, null);
    }
  }

  /**
   * The control planes a {@code dst} names: a {@code /$/inet/HOST/PORT} path, or several joined by
   * {@code |} (tried in order) or {@code &} (all equal; tried in the order written).
   */
  private static List<InterpreterConfig.ControlPlane> controlPlanes(String where, String dst) {
    List<InterpreterConfig.ControlPlane> out = new ArrayList<>();
    NameTree<Path> tree;
    try {
      tree = NameTree.read(dst);
    } catch (DtabParseException e) {
      throw new ConfigException(where + ": " + e.located());
    }
    collectControlPlanes(where, tree, out);
    if (out.isEmpty()) {
      throw new ConfigException(where + ": names no control plane (want /$/inet/HOST/PORT)");
    }
    return out;
  }

  private static void collectControlPlanes(
      String where, NameTree<Path> tree, List<InterpreterConfig.ControlPlane> out) {
    if (tree instanceof NameTree.Leaf<Path> leaf) {
      List<String> seg = leaf.value().labels();
      int port = -1;
      if (seg.size() == 4 && seg.get(0).equals("$") && seg.get(1).equals("inet")) {
        try {
          port = Integer.parseInt(seg.get(3));
        } catch (NumberFormatException e) {
          port = -1;
        }
      }
      if (port < 1 || port > 65535) {
        throw new ConfigException(
            where + ": " + leaf.value().show() + " is not a control plane address (want /$/inet/HOST/PORT)");
      }
      out.add(new InterpreterConfig.ControlPlane(seg.get(2), port));
    } else if (tree instanceof NameTree.Alt<Path> alt) {
      alt.trees().forEach(t -> collectControlPlanes(where, t, out));
    } else if (tree instanceof NameTree.Union<Path> union) {
      union.trees().forEach(w -> collectControlPlanes(where, w.tree(), out));
    } else {
      throw new ConfigException(where + ": must name control planes as /$/inet/HOST/PORT, not " + tree.show());
    }
  }

  private ClientConfig client(Node n) {
    n.only("failureAccrual", "loadBalancer", "connectTimeoutMs");
    Node fa = n.get("failureAccrual");
    fa.only("kind", "failures", "successRate", "requests", "backoff");
    String faKind = fa.text("kind", "io.l5d.consecutiveFailures");
    if (!List.of("io.l5d.consecutiveFailures", "io.l5d.successRate", "none").contains(faKind)) {
      throw new ConfigException(
          fa.path + ".kind: must be io.l5d.consecutiveFailures, io.l5d.successRate or none, not " + faKind);
    }
    Node backoff = fa.get("backoff");
    backoff.only("kind", "minMs", "maxMs", "ms");
    Duration min = backoff.millis("minMs", Duration.ofSeconds(5));
    Duration max = backoff.millis("maxMs", Duration.ofMinutes(5));
    if (max.compareTo(min) < 0) {
      throw new ConfigException(backoff.path + ".maxMs: must not be less than minMs");
    }
    double rate = fa.number("successRate", 0.8);
    if (rate <= 0 || rate > 1) {
      throw new ConfigException(fa.path + ".successRate: must be in (0, 1]");
    }
    FailureAccrualConfig accrual =
        new FailureAccrualConfig(faKind, fa.positiveInt("failures", 5), rate, fa.positiveInt("requests", 20), min, max);
    Node lb = n.get("loadBalancer");
    lb.only("kind");
    String lbKind = lb.text("kind", "ewma");
    if (!List.of("ewma", "p2c", "roundRobin").contains(lbKind)) {
      if (List.of("aperture", "heap").contains(lbKind)) {
        warn(lb.path + ".kind", lbKind + " is not implemented by Turnout; using ewma");
        lbKind = "ewma";
      } else {
        throw new ConfigException(lb.path + ".kind: must be ewma, p2c or roundRobin, not " + lbKind);
      }
    }
    // Finagle's default: a host that drops connection attempts is given up on after a second, counted
    // against it and the request tried elsewhere, instead of holding the request to its timeout.
    return new ClientConfig(accrual, lbKind, n.millis("connectTimeoutMs", Duration.ofSeconds(1)));
  }

  private ServiceConfig service(Node n) {
    n.only("responseClassifier", "retries");
    Node rc = n.get("responseClassifier");
    rc.only("kind");
    String classifier = rc.text("kind", "io.l5d.http.nonRetryable5XX");
    if (!List.of(
            "io.l5d.http.nonRetryable5XX",
            "io.l5d.http.retryableRead5XX",
            "io.l5d.http.retryableIdempotent5XX",
            "io.l5d.http.allSuccessful")
        .contains(classifier)) {
      throw new ConfigException(rc.path + ".kind: unknown response classifier " + classifier);
    }
    Node budget = n.get("retries").get("budget");
    n.get("retries").only("budget");
    budget.only("percentCanRetry", "minRetriesPerSec", "ttlSecs");
    double pct = budget.number("percentCanRetry", 0.2);
    if (pct < 0 || pct > 1000) {
      throw new ConfigException(budget.path + ".percentCanRetry: must be between 0 and 1000");
    }
    int ttl = budget.nonNegativeInt("ttlSecs", 10);
    if (ttl < 1 || ttl > 60) {
      throw new ConfigException(budget.path + ".ttlSecs: must be 1-60");
    }
    return new ServiceConfig(classifier, pct, budget.nonNegativeInt("minRetriesPerSec", 10), Duration.ofSeconds(ttl));
  }

  private StorageConfig storage(Node n) {
    n.only("kind", "path", "jdbcUrl", "url", "user", "password", "namespaces");
    String kind = n.text("kind", "h2");
    java.nio.file.Path dir = dataDir;
    Optional<String> url = Optional.empty();
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    Map<String, String> seeds = new LinkedHashMap<>();
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
          dir = baseDir.resolve(n.requiredText("path")).normalize();
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
        unimplemented.add(
            new Unimplemented(
                Unimplemented.Kind.STORAGE,
                n.path + ".kind",
                "storage kind " + kind + " is not implemented by Turnout",
                "use kind: postgresql (url: jdbc:postgresql://HOST:PORT/DB) for a store that several control"
                    + " planes share, or kind: h2 for one process's own"));
    }
    Node ns = n.get("namespaces");
    if (!ns.isMissing()) {
      if (!ns.node.isObject()) {
        throw new ConfigException(ns.path + ": must map namespace names to dtab text");
      }
      Iterator<Map.Entry<String, JsonNode>> it = ns.node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String where = ns.path + "." + e.getKey();
        if (!e.getKey().matches("[A-Za-z0-9_.-]{1,64}")) {
          throw new ConfigException(where + ": namespace names must match [A-Za-z0-9_.-]{1,64}");
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
    }
    return new StorageConfig(url, dir, seeds, user, password);
  }

  private static void checkUnique(List<RouterConfig> routers) {
    Set<String> labels = new LinkedHashSet<>();
    Set<String> sockets = new LinkedHashSet<>();
    for (int i = 0; i < routers.size(); i++) {
      RouterConfig r = routers.get(i);
      if (!labels.add(r.label())) {
        throw new ConfigException("routers[" + i + "].label: '" + r.label() + "' is used by another router");
      }
      for (int j = 0; j < r.servers().size(); j++) {
        ServerConfig s = r.servers().get(j);
        if (s.port() != 0 && !sockets.add(s.ip() + ":" + s.port())) {
          throw new ConfigException(
              "routers[" + i + "].servers[" + j + "].port: " + s.ip() + ":" + s.port() + " is used twice");
        }
      }
    }
  }

  /**
   * {@code tls:} anywhere (a server, a client, the admin port, a control-plane link): without TLS the
   * bytes its author meant to encrypt would go in plaintext, so this stops start-up, whatever flag.
   */
  private void tlsAsked(String path) {
    unimplemented.add(
        new Unimplemented(
            Unimplemented.Kind.TLS,
            path,
            "TLS is not implemented by Turnout yet, and this traffic would go in plaintext",
            "remove tls: to run in plaintext knowingly, or put a TLS terminator in front of Turnout"));
  }

  private void warn(String key, String why) {
    warnings.add(key + ": " + why + " (ignored)");
  }

  /** {@code dtabOverrides: accept | loopback | refuse}, accept when absent. */
  /** A YAML node with its path, for precise messages. A missing child is a missing node, never null. */
  private final class Node {
    final String path;
    final JsonNode node;

    Node(String path, JsonNode node) {
      this.path = path;
      this.node = node == null ? MissingNode.getInstance() : node;
    }

    boolean isMissing() {
      return node.isMissingNode() || node.isNull();
    }

    boolean has(String key) {
      return node.isObject() && node.has(key) && !node.get(key).isNull();
    }

    Node get(String key) {
      String p = path.isEmpty() ? key : path + "." + key;
      if (!isMissing() && !node.isObject()) {
        throw new ConfigException(path + ": must be a mapping");
      }
      return new Node(p, isMissing() ? null : node.get(key));
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

    Node at(int i) {
      return new Node(path + "[" + i + "]", node.get(i));
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
          tlsAsked(path.isEmpty() ? name : path + "." + name);
        } else if (!ok.contains(name)) {
          warn(
              path.isEmpty() ? name : path + "." + name,
              LINKERD_KEYS_NOT_IMPLEMENTED.contains(name) ? "not implemented by Turnout" : "unknown key");
        }
      }
    }

    String text(String key, String dflt) {
      Node c = get(key);
      if (c.isMissing()) {
        return dflt;
      }
      if (!c.node.isValueNode()) {
        throw new ConfigException(c.path + ": must be a single value");
      }
      return c.node.asText();
    }

    String requiredText(String key) {
      String v = text(key, null);
      if (v == null || v.isBlank()) {
        throw new ConfigException(get(key).path + ": is required");
      }
      return v;
    }

    boolean bool(String key, boolean dflt) {
      Node c = get(key);
      if (c.isMissing()) {
        return dflt;
      }
      if (!c.node.isBoolean()) {
        throw new ConfigException(c.path + ": must be true or false");
      }
      return c.node.booleanValue();
    }

    double number(String key, double dflt) {
      Node c = get(key);
      if (c.isMissing()) {
        return dflt;
      }
      if (!c.node.isNumber()) {
        throw new ConfigException(c.path + ": must be a number");
      }
      return c.node.doubleValue();
    }

    long integer(String key, long dflt) {
      Node c = get(key);
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
}
