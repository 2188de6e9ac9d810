package dev.turnout.config;

import dev.turnout.dtab.Path;

/**
 * A configured namer of one of the kinds Turnout implements, mounted at {@link #prefix()} ({@code
 * /#/io.l5d.fs}, or {@code /#/<prefix>} when the block sets {@code prefix}). Each kind is a record of
 * its own keys; the app starts the namer a record describes.
 */
public sealed interface NamerConfig permits NamerConfig.Fs, NamerConfig.DnsSrv, NamerConfig.Consul, NamerConfig.Serversets, NamerConfig.K8s {

  /** Linkerd's {@code kind}, such as {@code io.l5d.fs}. */
  String kind();

  /** Where names under this namer start. */
  Path prefix();

  /** {@code io.l5d.fs}: one file per service in {@code rootDir}. */
  record Fs(Path prefix, java.nio.file.Path rootDir) implements NamerConfig {
    public static final String KIND = "io.l5d.fs";

    public Fs {
      if (prefix == null || rootDir == null) {
        throw new IllegalArgumentException("an io.l5d.fs namer needs a prefix and a rootDir");
      }
    }

    @Override
    public String kind() {
      return KIND;
    }
  }

  /**
   * {@code io.l5d.dnssrv}: SRV records looked up every {@code refreshInterval} at {@code dnsHosts} (the
   * system's resolvers when the list is empty).
   */
  record DnsSrv(Path prefix, java.util.List<DnsServer> dnsHosts, java.time.Duration refreshInterval)
      implements NamerConfig {
    public static final String KIND = "io.l5d.dnssrv";

    public DnsSrv {
      if (prefix == null || dnsHosts == null || refreshInterval == null) {
        throw new IllegalArgumentException("an io.l5d.dnssrv namer needs a prefix, dnsHosts and a refresh interval");
      }
      if (refreshInterval.isNegative() || refreshInterval.isZero()) {
        throw new IllegalArgumentException("refreshInterval must be positive, not " + refreshInterval);
      }
      dnsHosts = java.util.List.copyOf(dnsHosts);
    }

    @Override
    public String kind() {
      return KIND;
    }
  }

  /** One DNS server of {@code dnsHosts}: {@code HOST} (port 53) or {@code HOST:PORT}, {@code [V6]:PORT}. */
  record DnsServer(String host, int port) {
    public static final int DEFAULT_PORT = 53;

    public DnsServer {
      if (host == null || host.isBlank() || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
        throw new IllegalArgumentException("a DNS server needs a host name or address, not '" + host + "'");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("a DNS server's port must be 1-65535, not " + port);
      }
    }

    /**
     * Reads {@code HOST}, {@code HOST:PORT}, a bare IPv6 address or {@code [V6]:PORT}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static DnsServer parse(String text) {
      String t = text == null ? "" : text.trim();
      String host = t;
      String port = null;
      if (t.startsWith("[")) {
        int close = t.indexOf(']');
        if (close < 0) {
          throw new IllegalArgumentException("'" + t + "' opens '[' without closing it");
        }
        host = t.substring(1, close);
        String rest = t.substring(close + 1);
        if (!rest.isEmpty()) {
          if (!rest.startsWith(":")) {
            throw new IllegalArgumentException("'" + t + "' has '" + rest + "' after ']' where ':PORT' belongs");
          }
          port = rest.substring(1);
        }
      } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
        host = t.substring(0, t.indexOf(':'));
        port = t.substring(t.indexOf(':') + 1);
      }
      int p = DEFAULT_PORT;
      if (port != null) {
        try {
          p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + t + "': the port '" + port + "' is not a number");
        }
      }
      return new DnsServer(host, p);
    }

    /** {@code host:port}, brackets around an IPv6 address. */
    public String show() {
      return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  /**
   * {@code io.l5d.consul}: services of a Consul agent at {@code host:port} (Linkerd's defaults {@code
   * localhost:8500}), by {@code /DC/SERVICE} or, with {@code includeTag}, {@code /DC/TAG/SERVICE}.
   * {@code healthStatuses} are Consul's names ({@code passing}, {@code warning}, {@code critical},
   * {@code maintenance}), {@code consistencyMode} one of {@code default}, {@code stale}, {@code
   * consistent}; {@code weights} maps a tag to the weight of the instances carrying it; {@code tls}
   * (Linkerd's client TLS block) makes the namer speak HTTPS to the agent.
   */
  record Consul(
      Path prefix,
      String host,
      int port,
      java.util.Optional<String> token,
      boolean includeTag,
      boolean useHealthCheck,
      java.util.List<String> healthStatuses,
      String consistencyMode,
      boolean failFast,
      boolean preferServiceAddress,
      java.util.Map<String, Double> weights,
      boolean setHost,
      java.util.Optional<ClientTlsConfig> tls)
      implements NamerConfig {
    public static final String KIND = "io.l5d.consul";
    public static final java.util.List<String> HEALTH_STATUSES = java.util.List.of("passing", "warning", "critical", "maintenance");
    public static final java.util.List<String> CONSISTENCY_MODES = java.util.List.of("default", "stale", "consistent");

    public Consul {
      if (prefix == null || host == null || host.isBlank() || token == null || tls == null) {
        throw new IllegalArgumentException("an io.l5d.consul namer needs a prefix and a host");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1-65535, not " + port);
      }
      if (healthStatuses.isEmpty() || !HEALTH_STATUSES.containsAll(healthStatuses)) {
        throw new IllegalArgumentException("healthStatuses are some of " + HEALTH_STATUSES + ", not " + healthStatuses);
      }
      if (!CONSISTENCY_MODES.contains(consistencyMode)) {
        throw new IllegalArgumentException("consistencyMode is one of " + CONSISTENCY_MODES + ", not " + consistencyMode);
      }
      for (java.util.Map.Entry<String, Double> w : weights.entrySet()) {
        if (!(w.getValue() >= 0) || w.getValue().isInfinite()) {
          throw new IllegalArgumentException("weight of tag " + w.getKey() + " must be a finite number >= 0");
        }
      }
      healthStatuses = java.util.List.copyOf(healthStatuses);
      weights = java.util.Map.copyOf(weights);
    }

    @Override
    public String kind() {
      return KIND;
    }
  }

  /**
   * {@code io.l5d.serversets}: ZooKeeper serversets of the ensemble {@code zkAddrs}, each {@code host}
   * with {@code port} 2181 unless given.
   */
  record Serversets(Path prefix, java.util.List<ZkAddr> zkAddrs) implements NamerConfig {
    public static final String KIND = "io.l5d.serversets";
    public static final int DEFAULT_ZK_PORT = 2181;

    public Serversets {
      if (prefix == null || zkAddrs == null || zkAddrs.isEmpty()) {
        throw new IllegalArgumentException("an io.l5d.serversets namer needs a prefix and at least one zkAddr");
      }
      zkAddrs = java.util.List.copyOf(zkAddrs);
    }

    /** ZooKeeper's connect string, {@code host:port,host:port}, as Linkerd builds it. */
    public String connectString() {
      return String.join(",", zkAddrs.stream().map(ZkAddr::show).toList());
    }

    @Override
    public String kind() {
      return KIND;
    }

    /** One ZooKeeper server. */
    public record ZkAddr(String host, int port) {
      public ZkAddr {
        if (host == null || host.isBlank() || host.indexOf(',') >= 0 || host.indexOf('/') >= 0) {
          throw new IllegalArgumentException("a ZooKeeper host is a host name or address, not '" + host + "'");
        }
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException("a ZooKeeper port is 1-65535, not " + port);
        }
      }

      String show() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
      }
    }
  }

  /**
   * {@code io.l5d.k8s}: Endpoints (and EndpointSlices where served) of a Kubernetes API server, reached
   * as Linkerd does through {@code kubectl proxy} at {@code host:port} over plain HTTP, or, with
   * Turnout's {@code inCluster: true}, at {@code KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT} over
   * HTTPS with the pod's service account token and CA.
   *
   * @param labelSelector Linkerd's label key: names then carry one more label, its value
   */
  record K8s(Path prefix, String host, int port, java.util.Optional<String> labelSelector, boolean inCluster)
      implements NamerConfig {
    public static final String KIND = "io.l5d.k8s";
    public static final String DEFAULT_HOST = "localhost";
    public static final int DEFAULT_PORT = 8001;

    public K8s {
      if (prefix == null || labelSelector == null) {
        throw new IllegalArgumentException("an io.l5d.k8s namer needs a prefix");
      }
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("io.l5d.k8s: host must not be blank");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("io.l5d.k8s: port must be 1-65535, not " + port);
      }
      if (labelSelector.isPresent() && !labelSelector.get().matches("([A-Za-z0-9.-]+/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
        throw new IllegalArgumentException("io.l5d.k8s: labelSelector is a label key, not " + labelSelector.get());
      }
    }

    @Override
    public String kind() {
      return KIND;
    }
  }
}
