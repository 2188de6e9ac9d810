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
        TransformerConfig.Const {

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
}
