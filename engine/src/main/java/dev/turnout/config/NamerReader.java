package dev.turnout.config;

import dev.turnout.dtab.Path;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code namers:} list. Turnout implements {@code io.l5d.fs}: a folder ({@code rootDir}, relative
 * to the config file) of one file per service, mounted at {@code /#/io.l5d.fs} or {@code /#/<prefix>}.
 * A namer of another kind is left out with a warning, so names under it bind to nothing rather than
 * stopping a Linkerd config that also uses namers Turnout lacks.
 */
final class NamerReader {
  private NamerReader() {}

  static List<NamerConfig> readAll(ConfigContext context, YamlNode namers) {
    List<NamerConfig> out = new ArrayList<>();
    for (int i = 0; i < namers.size(); i++) {
      read(context, namers.at(i)).ifPresent(out::add);
    }
    return out;
  }

  private static Optional<NamerConfig> read(ConfigContext context, YamlNode n) {
    String kind = n.requiredText("kind");
    switch (kind) {
      case NamerConfig.Fs.KIND:
        return Optional.of(fs(context, n));
      case NamerConfig.K8s.KIND:
        return Optional.of(k8s(n));
      default:
        context.warn(
            n.path + ".kind", "namer kind " + kind + " is not implemented by Turnout; names under it bind to nothing");
        return Optional.empty();
    }
  }

  /** The mount point: {@code /#/} and the block's {@code prefix}, or its kind. */
  private static Path mount(YamlNode n, String kind) {
    return Path.of("#").concat(n.path("prefix", Path.of(kind)));
  }

  private static NamerConfig.Fs fs(ConfigContext context, YamlNode n) {
    n.only("kind", "rootDir", "prefix");
    String root = n.requiredText("rootDir");
    java.nio.file.Path dir = context.baseDir().resolve(root).normalize();
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(n.path + ".rootDir: " + dir + " is not a directory");
    }
    return new NamerConfig.Fs(mount(n, NamerConfig.Fs.KIND), dir);
  }

  /** Linkerd's keys, defaults {@code localhost:8001}; {@code inCluster} is Turnout's and excludes them. */
  private static NamerConfig.K8s k8s(YamlNode n) {
    n.only("kind", "prefix", "experimental", "host", "port", "labelSelector", "inCluster");
    boolean inCluster = n.bool("inCluster", false);
    if (inCluster && (n.has("host") || n.has("port"))) {
      throw new ConfigException(n.path + ": inCluster takes the API server from KUBERNETES_SERVICE_HOST/PORT; drop host and port");
    }
    int port = n.port("port", NamerConfig.K8s.DEFAULT_PORT);
    if (port == 0) {
      throw new ConfigException(n.get("port").path + ": must be 1-65535");
    }
    Optional<String> label = Optional.ofNullable(n.text("labelSelector", null));
    Path prefix = mount(n, NamerConfig.K8s.KIND);
    String host = n.text("host", NamerConfig.K8s.DEFAULT_HOST);
    try {
      return new NamerConfig.K8s(prefix, host, port, label, inCluster);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(n.path + ": " + e.getMessage());
    }
  }
}
