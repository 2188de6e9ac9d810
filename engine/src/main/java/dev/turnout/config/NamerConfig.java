package dev.turnout.config;

import dev.turnout.dtab.Path;

/**
 * A configured namer of one of the kinds Turnout implements, mounted at {@link #prefix()} ({@code
 * /#/io.l5d.fs}, or {@code /#/<prefix>} when the block sets {@code prefix}). Each kind is a record of
 * its own keys; the app starts the namer a record describes.
 */
public sealed interface NamerConfig permits NamerConfig.Fs, NamerConfig.Serversets {

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
}
