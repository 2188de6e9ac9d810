package dev.turnout.config;

import dev.turnout.dtab.Path;
import java.util.Objects;

/**
 * One entry of an interpreter's {@code transformers:} list: a rewrite of the tree binding produced,
 * applied after binding, in list order (Linkerd's {@code TransformerConfig}). Every transformed bound
 * id starts with {@link #prefix()}, {@code /%} followed by the kind's default prefix or the configured
 * {@code prefix}, so {@code /#/io.l5d.fs/users} under {@code io.l5d.port} on 4141 becomes the client
 * {@code /%/io.l5d.port/4141/#/io.l5d.fs/users}, with its own connections and metrics.
 *
 * <ul>
 *   <li>{@link Port} ({@code io.l5d.port}): every address keeps its host and takes {@code port}.
 *   <li>{@link Localhost} ({@code io.l5d.localhost}): only addresses of this host's interfaces.
 *   <li>{@link SpecificHost} ({@code io.l5d.specificHost}): only addresses of {@code host}.
 *   <li>{@link Replace} ({@code io.l5d.replace}): every bound name becomes {@code path}, bound with no
 *       dtab; a tree that bound to nothing stays so.
 *   <li>{@link Const} ({@code io.l5d.const}): the whole tree becomes {@code path}, bound with no dtab,
 *       even when the name bound to nothing.
 * </ul>
 */
public sealed interface TransformerConfig
    permits TransformerConfig.Port,
        TransformerConfig.Localhost,
        TransformerConfig.SpecificHost,
        TransformerConfig.Replace,
        TransformerConfig.Const,
        TransformerConfig.K8sDaemonSet,
        TransformerConfig.K8sLocalNode {

  /** The first label of every transformed id, as Linkerd's {@code Paths.TransformerPrefix}. */
  Path TRANSFORMED = Path.of("%");

  /** The {@code kind:} as written in the config. */
  String kind();

  /** What transformed ids start with, {@code /%/io.l5d.port/4141} by default for port 4141. */
  Path prefix();

  /** Calls the visitor's method for this kind. */
  <R> R accept(Visitor<R> visitor);

  /** Every kind, each one required, so a new kind fails to compile until each use handles it. */
  interface Visitor<R> {
    R port(Port port);

    R localhost(Localhost localhost);

    R specificHost(SpecificHost specificHost);

    R replace(Replace replace);

    R constant(Const constant);

    R k8sDaemonSet(K8sDaemonSet daemonSet);

    R k8sLocalNode(K8sLocalNode localNode);
  }

  /** Every transformed id starts with {@code /%} and one label at least, so it never looks bound. */
  private static void checkPrefix(Path prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!prefix.startsWith(TRANSFORMED) || prefix.size() < 2) {
      throw new IllegalArgumentException("a transformer prefix is /% and a name, not " + prefix.show());
    }
  }

  /** {@code /%} followed by {@code configured}. */
  static Path transformed(Path configured) {
    return TRANSFORMED.concat(configured);
  }

  record Port(Path prefix, int port) implements TransformerConfig {
    public static final String KIND = "io.l5d.port";

    public Port {
      checkPrefix(prefix);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1-65535, not " + port);
      }
    }

    /** The default prefix: {@code /%/io.l5d.port/<port>}, so two port transformers never share ids. */
    public Port(int port) {
      this(transformed(Path.of(KIND, Integer.toString(port))), port);
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.port(this);
    }
  }

  record Localhost(Path prefix) implements TransformerConfig {
    public static final String KIND = "io.l5d.localhost";

    public Localhost {
      checkPrefix(prefix);
    }

    public Localhost() {
      this(transformed(Path.of(KIND)));
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.localhost(this);
    }
  }

  record SpecificHost(Path prefix, String host) implements TransformerConfig {
    public static final String KIND = "io.l5d.specificHost";

    public SpecificHost {
      checkPrefix(prefix);
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("io.l5d.specificHost needs a host");
      }
    }

    public SpecificHost(String host) {
      this(transformed(Path.of(KIND)), host);
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.specificHost(this);
    }
  }

  record Replace(Path prefix, Path path) implements TransformerConfig {
    public static final String KIND = "io.l5d.replace";

    public Replace {
      checkPrefix(prefix);
      Objects.requireNonNull(path, "path");
    }

    public Replace(Path path) {
      this(transformed(Path.of(KIND)), path);
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.replace(this);
    }
  }

  record Const(Path prefix, Path path) implements TransformerConfig {
    public static final String KIND = "io.l5d.const";

    public Const {
      checkPrefix(prefix);
      Objects.requireNonNull(path, "path");
    }

    public Const(Path path) {
      this(transformed(Path.of(KIND)), path);
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.constant(this);
    }
  }

  /**
   * {@code io.l5d.k8s.daemonset}: each address replaced by the member of a daemonset on its node, found
   * through the daemonset's service {@code namespace/port/service} on the API server at {@code
   * k8sHost:k8sPort} (Linkerd's {@code localhost:8001} by default).
   */
  record K8sDaemonSet(
      Path prefix, String namespace, String service, String port, String k8sHost, int k8sPort, boolean hostNetwork)
      implements TransformerConfig {
    public static final String KIND = "io.l5d.k8s.daemonset";

    public K8sDaemonSet {
      checkPrefix(prefix);
      for (String v : new String[] {namespace, service, port, k8sHost}) {
        if (v == null || v.isBlank()) {
          throw new IllegalArgumentException("io.l5d.k8s.daemonset needs namespace, service, port and a k8sHost");
        }
      }
      if (k8sPort < 1 || k8sPort > 65535) {
        throw new IllegalArgumentException("k8sPort must be 1-65535, not " + k8sPort);
      }
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.k8sDaemonSet(this);
    }
  }

  /**
   * {@code io.l5d.k8s.localnode}: only the addresses on this node, judged by the pod's {@code POD_IP}
   * (its /24), or with {@code hostNetwork} by {@code NODE_NAME}; the value is appended to the prefix.
   */
  record K8sLocalNode(Path prefix, boolean hostNetwork) implements TransformerConfig {
    public static final String KIND = "io.l5d.k8s.localnode";

    public K8sLocalNode {
      checkPrefix(prefix);
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.k8sLocalNode(this);
    }
  }
}
