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
      case NamerConfig.DnsSrv.KIND:
        return Optional.of(dnsSrv(n));
      case NamerConfig.Consul.KIND:
        return Optional.of(ConsulNamerReader.read(context, n, mount(n, NamerConfig.Consul.KIND)));
      case NamerConfig.Serversets.KIND:
        return Optional.of(serversets(n));
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

  /**
   * Linkerd's keys: {@code dnsHosts} (names or addresses, each with an optional {@code :PORT}; none means
   * the system's resolvers), {@code refreshIntervalSeconds} (5), and {@code experimental}, which Linkerd
   * required and Turnout accepts without requiring.
   */
  private static NamerConfig.DnsSrv dnsSrv(YamlNode n) {
    n.only("kind", "prefix", "experimental", "dnsHosts", "refreshIntervalSeconds");
    n.bool("experimental", false);
    int refresh = n.positiveInt("refreshIntervalSeconds", 5);
    List<NamerConfig.DnsServer> servers = new ArrayList<>();
    List<String> hosts = n.texts("dnsHosts");
    for (int i = 0; i < hosts.size(); i++) {
      try {
        servers.add(NamerConfig.DnsServer.parse(hosts.get(i)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(n.path + ".dnsHosts[" + i + "]: " + e.getMessage());
      }
    }
    return new NamerConfig.DnsSrv(
        mount(n, NamerConfig.DnsSrv.KIND), servers, java.time.Duration.ofSeconds(refresh));
  }

  /** Linkerd's keys: {@code zkAddrs} (required, each {@code host} and {@code port}, 2181 by default). */
  private static NamerConfig.Serversets serversets(YamlNode n) {
    n.only("kind", "zkAddrs", "prefix", "experimental");
    n.bool("experimental", false);
    YamlNode addrs = n.get("zkAddrs");
    if (addrs.size() == 0) {
      throw new ConfigException(addrs.path + ": is required: a list of ZooKeeper servers, each with host and port");
    }
    List<NamerConfig.Serversets.ZkAddr> out = new ArrayList<>();
    for (int i = 0; i < addrs.size(); i++) {
      YamlNode a = addrs.at(i);
      if (a.isMissing()) {
        throw new ConfigException(a.path + ": must be a mapping with host and port");
      }
      a.only("host", "port");
      String host = a.requiredText("host");
      int port = a.port("port", NamerConfig.Serversets.DEFAULT_ZK_PORT);
      if (port == 0) {
        throw new ConfigException(a.path + ".port: must be 1-65535");
      }
      try {
        out.add(new NamerConfig.Serversets.ZkAddr(host.trim(), port));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(a.path + ".host: " + e.getMessage());
      }
    }
    return new NamerConfig.Serversets(mount(n, NamerConfig.Serversets.KIND), out);
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
