package dev.turnout.config;

import com.fasterxml.jackson.databind.node.MissingNode;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code routers:} list, each router with its {@code servers:}. Without the block there is one
 * http router with every default (servers on 127.0.0.1:4140); an empty list is an error, since it can
 * only be a mistake. A router of a protocol other than http and h2 is {@link Unimplemented} and left out of
 * the result, and so is one whose interpreter lists a transformer Turnout lacks. Labels are unique, and no two servers share an address and port (port 0, any free one,
 * aside), so every router's metrics and every socket are its own.
 */
final class RouterReader {
  private RouterReader() {}

  static List<RouterConfig> readAll(ConfigContext context, YamlNode routersNode) {
    List<RouterConfig> routers = new ArrayList<>();
    if (routersNode.isMissing()) {
      routers.add(read(context, new YamlNode(context, "routers[0]", MissingNode.getInstance()), 0).orElseThrow());
    } else {
      if (routersNode.size() == 0) {
        throw new ConfigException("routers: must list at least one router");
      }
      for (int i = 0; i < routersNode.size(); i++) {
        read(context, routersNode.at(i), i).ifPresent(routers::add);
      }
    }
    checkUnique(routers);
    return routers;
  }

  /**
   * The router, or empty (recorded as {@link Unimplemented}) for a protocol or a transformer Turnout
   * does not implement.
   */
  private static Optional<RouterConfig> read(ConfigContext context, YamlNode n, int index) {
    n.only(
        "protocol", "label", "dtab", "identifier", "dstPrefix", "interpreter", "servers", "client",
        "service", "bindingTimeoutMs", "requestTimeoutMs", "maxCallDepth", "skipUnavailableAlternatives",
        "baseDtab", AccessLogReader.PATH, AccessLogReader.ROLL, AccessLogReader.APPEND, AccessLogReader.ROTATE,
        AccessLogReader.H2_PATH, AccessLogReader.H2_ROLL, AccessLogReader.H2_APPEND, AccessLogReader.H2_ROTATE);
    String protocol = n.text("protocol", "http");
    if (!protocol.equals("http") && !protocol.equals("h2")) {
      context.add(
          new Unimplemented(
              Unimplemented.Kind.ROUTER,
              n.path + ".protocol",
              "protocol " + protocol + " is not implemented by Turnout (its routers serve http and h2)",
              "remove this router, or start with --skip-unimplemented to run the others without it"));
      return Optional.empty();
    }
    boolean h2 = protocol.equals("h2");
    wrongLogKeys(n, h2);
    String label = n.text("label", protocol);
    String dtab = dtab(context, n);
    Path dstPrefix = n.path("dstPrefix", Path.of("svc"));
    List<IdentifierConfig> identifiers = IdentifierReader.readAll(context, n.get("identifier"), dstPrefix, h2);
    Optional<InterpreterConfig> interpreter = InterpreterReader.read(context, n.get("interpreter"));
    if (interpreter.isEmpty()) {
      return Optional.empty();
    }
    List<ServerConfig> servers = servers(context, n.get("servers"), index, h2);
    return Optional.of(
        new RouterConfig(
            label,
            protocol,
            dtab,
            identifiers,
            dstPrefix,
            interpreter.get(),
            servers,
            ClientReader.read(context, n.get("client"), h2),
            ServiceReader.read(n.get("service"), h2),
            n.millis("bindingTimeoutMs", Duration.ofSeconds(10)),
            n.millis("requestTimeoutMs", Duration.ofSeconds(10)),
            n.positiveInt("maxCallDepth", 1000),
            n.bool("skipUnavailableAlternatives", true),
            h2 ? AccessLogReader.readH2(context, n) : AccessLogReader.read(context, n)));
  }

  /** The router's own dtab text, checked to parse, from {@code dtab} or its pre-1.0 name. */
  private static String dtab(ConfigContext context, YamlNode n) {
    // baseDtab is what Linkerd's router config called dtab before 1.0 (RouterConfig's var baseDtab);
    // its own examples still use it, so it is read as dtab, with a warning.
    String dtab = n.text("dtab", "");
    if (n.has("baseDtab")) {
      if (n.has("dtab")) {
        throw new ConfigException(n.path + ".baseDtab: give either dtab or baseDtab (its old name), not both");
      }
      context.note(n.path + ".baseDtab: the name Linkerd gave dtab before 1.0; read as dtab");
      dtab = n.text("baseDtab", "");
    }
    try {
      Dtab.read(dtab);
    } catch (DtabParseException e) {
      throw new ConfigException(n.path + (n.has("baseDtab") ? ".baseDtab: " : ".dtab: ") + e.located());
    }
    return dtab;
  }

  /**
   * The router's listening sockets; without any, one on 127.0.0.1 at 4140 plus the router's index, so
   * that several routers given without servers do not collide.
   */
  private static List<ServerConfig> servers(ConfigContext context, YamlNode serversNode, int index, boolean h2) {
    List<ServerConfig> servers = new ArrayList<>();
    // Linkerd's h2 routers listen on 4142 by default (H2Initializer.defaultServerPort)
    int port = h2 ? 4142 : 4140;
    if (serversNode.isMissing() || serversNode.size() == 0) {
      servers.add(new ServerConfig("127.0.0.1", port + index, false));
      return servers;
    }
    for (int i = 0; i < serversNode.size(); i++) {
      YamlNode s = serversNode.at(i);
      if (h2) {
        s.only("ip", "port", "clearContext", "dtabOverrides", "tls", "maxConcurrentStreamsPerConnection",
            "initialStreamWindowBytes", "maxFrameBytes", "maxHeaderListBytes", "headerTableBytes", "windowUpdateRatio");
        windowUpdateRatio(context, s);
      } else {
        s.only("ip", "port", "clearContext", "dtabOverrides", "tls");
      }
      servers.add(
          new ServerConfig(
              s.text("ip", "127.0.0.1"),
              s.port("port", port),
              s.bool("clearContext", false),
              overrides(s),
              serverTls(context, s.get("tls")),
              h2 ? h2Settings(s) : H2Settings.DEFAULT));
    }
    return servers;
  }

  /**
   * Linkerd's {@code windowUpdateRatio} of an h2 server: checked as Netty checks it (between 0 and 1),
   * and warned when it is not the half Undertow always refills a window at.
   */
  private static void windowUpdateRatio(ConfigContext context, YamlNode s) {
    if (!s.has("windowUpdateRatio")) {
      return;
    }
    double r = s.number("windowUpdateRatio", H2ClientSettings.APPLIED_WINDOW_UPDATE_RATIO);
    if (!(r > 0 && r < 1)) {
      throw new ConfigException(s.path + ".windowUpdateRatio: must be between 0 and 1 (exclusive), as Netty's, not " + r);
    }
    if (r != H2ClientSettings.APPLIED_WINDOW_UPDATE_RATIO) {
      context.warn(s.path + ".windowUpdateRatio", "read but not applied: Turnout's HTTP/2 server refills a window once half"
          + " of it is used (0.5)");
    }
  }

  /** An h2 server's HTTP/2 settings, each Linkerd's key, checked as RFC 9113 bounds them. */
  private static H2Settings h2Settings(YamlNode s) {
    H2Settings d = H2Settings.DEFAULT;
    try {
      return new H2Settings(
          s.positiveInt("maxConcurrentStreamsPerConnection", d.maxConcurrentStreamsPerConnection()),
          s.positiveInt("initialStreamWindowBytes", d.initialStreamWindowBytes()),
          s.positiveInt("maxFrameBytes", d.maxFrameBytes()),
          s.positiveInt("maxHeaderListBytes", d.maxHeaderListBytes()),
          s.nonNegativeInt("headerTableBytes", d.headerTableBytes()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(s.path + "." + e.getMessage());
    }
  }

  /** An http router's h2 log keys, or the other way round: a mistake that would leave no log written. */
  private static void wrongLogKeys(YamlNode n, boolean h2) {
    String wrong = h2 ? AccessLogReader.PATH : AccessLogReader.H2_PATH;
    if (n.has(wrong)) {
      throw new ConfigException(n.path + "." + wrong + ": is an " + (h2 ? "http" : "h2") + " router's key; this router is "
          + (h2 ? "h2: use h2AccessLog" : "http: use httpAccessLog"));
    }
  }

  /** A server's {@code tls:}, read and checked as Linkerd reads it; the port then serves HTTPS only. */
  private static Optional<ServerTlsConfig> serverTls(ConfigContext context, YamlNode n) {
    if (n.isMissing()) {
      return Optional.empty();
    }
    return Optional.of(TlsReader.server(context, n));
  }

  /** {@code dtabOverrides: accept | loopback | refuse}, accept when absent. */
  private static ServerConfig.Overrides overrides(YamlNode server) {
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
}
