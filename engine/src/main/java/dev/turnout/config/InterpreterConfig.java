package dev.turnout.config;

import java.time.Duration;
import java.util.List;

/**
 * Where a router's base dtab comes from:
 *
 * <ul>
 *   <li>{@code default}: only the router's own {@code dtab:};
 *   <li>{@code store}: the namespace {@code namespace} of this process's own store, live, followed by
 *       the router's own dtab (Linkerd's {@code io.l5d.namerd}, Turnout's {@code turnout.store}, and
 *       {@code io.l5d.namerd.http} without {@code dst});
 *   <li>{@code remote}: the namespace {@code namespace} on a control plane reached over namerd's HTTP
 *       API, watched for changes ({@code io.l5d.namerd.http} with {@code dst}). {@code controlPlanes}
 *       are tried in order, each one failing over to the next; {@code retryBase} and {@code retryMax}
 *       bound the wait between rounds when none answers. With {@code tls} (Linkerd's client TLS
 *       keys, enabled) the control planes are reached over HTTPS and must prove {@code commonName}.
 * </ul>
 *
 * <p>Whatever the kind, {@code transformers} rewrite each bound tree, in order, before it routes.
 */
public record InterpreterConfig(
    String kind,
    String namespace,
    List<ControlPlane> controlPlanes,
    Duration retryBase,
    Duration retryMax,
    List<TransformerConfig> transformers,
    java.util.Optional<ClientTlsConfig> tls) {
  public static final String DEFAULT = "default";
  public static final String STORE = "store";
  public static final String REMOTE = "remote";

  /** A control plane's admin address, from a {@code /$/inet/HOST/PORT} name in {@code dst}. */
  public record ControlPlane(String host, int port) {
    public ControlPlane {
      if (host == null || host.isEmpty()) {
        throw new IllegalArgumentException("a control plane needs a host");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("a control plane's port must be 1-65535, not " + port);
      }
    }

    /** {@code host:port}, with an IPv6 literal in brackets. */
    public String authority() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  public InterpreterConfig {
    controlPlanes = List.copyOf(controlPlanes);
    transformers = List.copyOf(transformers);
    if (tls == null || tls.filter(t -> !t.enabled()).isPresent()) {
      throw new IllegalArgumentException("tls is an enabled client TLS, or Optional.empty() for plain HTTP");
    }
    if (REMOTE.equals(kind) && controlPlanes.isEmpty()) {
      throw new IllegalArgumentException("a remote interpreter needs at least one control plane");
    }
  }

  public InterpreterConfig(
      String kind,
      String namespace,
      List<ControlPlane> controlPlanes,
      Duration retryBase,
      Duration retryMax,
      List<TransformerConfig> transformers) {
    this(kind, namespace, controlPlanes, retryBase, retryMax, transformers, java.util.Optional.empty());
  }

  public InterpreterConfig(
      String kind, String namespace, List<ControlPlane> controlPlanes, Duration retryBase, Duration retryMax) {
    this(kind, namespace, controlPlanes, retryBase, retryMax, List.of());
  }

  public InterpreterConfig(String kind, String namespace) {
    this(kind, namespace, List.of(), Duration.ofSeconds(1), Duration.ofSeconds(10));
  }

  /** The same interpreter with {@code list} as its transformers. */
  public InterpreterConfig withTransformers(List<TransformerConfig> list) {
    return new InterpreterConfig(kind, namespace, controlPlanes, retryBase, retryMax, list, tls);
  }

  public boolean usesStore() {
    return STORE.equals(kind);
  }

  public boolean followsRemote() {
    return REMOTE.equals(kind);
  }
}
