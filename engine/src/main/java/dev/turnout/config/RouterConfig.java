package dev.turnout.config;

import dev.turnout.dtab.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One router: the servers it listens on, how it names requests, the dtab it routes by and how it talks
 * to backends. {@code dtab} is the router's own base dtab text (directive comments kept); with a store
 * interpreter the store namespace's dtab comes first and this text follows it.
 */
public record RouterConfig(
    String label,
    String protocol,
    String dtab,
    List<IdentifierConfig> identifiers,
    Path dstPrefix,
    InterpreterConfig interpreter,
    List<ServerConfig> servers,
    ClientConfig client,
    ServiceConfig service,
    Duration bindingTimeout,
    Duration requestTimeout,
    int maxCallDepth,
    boolean skipUnavailableAlternatives,
    Optional<AccessLogConfig> accessLog) {

  public RouterConfig {
    identifiers = List.copyOf(identifiers);
    servers = List.copyOf(servers);
    Objects.requireNonNull(accessLog, "accessLog: Optional.empty() when the router keeps none");
  }

  /** A router without an access log. */
  public RouterConfig(
      String label,
      String protocol,
      String dtab,
      List<IdentifierConfig> identifiers,
      Path dstPrefix,
      InterpreterConfig interpreter,
      List<ServerConfig> servers,
      ClientConfig client,
      ServiceConfig service,
      Duration bindingTimeout,
      Duration requestTimeout,
      int maxCallDepth,
      boolean skipUnavailableAlternatives) {
    this(label, protocol, dtab, identifiers, dstPrefix, interpreter, servers, client, service, bindingTimeout,
        requestTimeout, maxCallDepth, skipUnavailableAlternatives, Optional.empty());
  }

  /** Whether the router serves HTTP/2 ({@code protocol: h2}) rather than HTTP/1.x. */
  public boolean h2() {
    return "h2".equals(protocol);
  }

  /** The same router writing its access log as {@code log} says. */
  public RouterConfig withAccessLog(Optional<AccessLogConfig> log) {
    return new RouterConfig(
        label, protocol, dtab, identifiers, dstPrefix, interpreter, servers, client, service,
        bindingTimeout, requestTimeout, maxCallDepth, skipUnavailableAlternatives, log);
  }

  /** The same router listening on {@code port} instead of its first server's port. */
  public RouterConfig withFirstServerPort(int port) {
    List<ServerConfig> changed = new java.util.ArrayList<>(servers);
    ServerConfig first = changed.get(0);
    changed.set(0, first.withPort(port));
    return new RouterConfig(
        label, protocol, dtab, identifiers, dstPrefix, interpreter, changed, client, service,
        bindingTimeout, requestTimeout, maxCallDepth, skipUnavailableAlternatives, accessLog);
  }

  /** The same router listening on {@code list} instead of its servers. */
  public RouterConfig withServers(List<ServerConfig> list) {
    return new RouterConfig(
        label, protocol, dtab, identifiers, dstPrefix, interpreter, list, client, service,
        bindingTimeout, requestTimeout, maxCallDepth, skipUnavailableAlternatives, accessLog);
  }

  /** The same router with {@code c} as its client block. */
  public RouterConfig withClient(ClientConfig c) {
    return new RouterConfig(
        label, protocol, dtab, identifiers, dstPrefix, interpreter, servers, c, service,
        bindingTimeout, requestTimeout, maxCallDepth, skipUnavailableAlternatives, accessLog);
  }

  /** The same router with {@code text} as its own dtab. */
  public RouterConfig withDtab(String text) {
    return new RouterConfig(
        label, protocol, text, identifiers, dstPrefix, interpreter, servers, client, service,
        bindingTimeout, requestTimeout, maxCallDepth, skipUnavailableAlternatives, accessLog);
  }
}
