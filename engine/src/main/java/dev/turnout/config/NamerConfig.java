package dev.turnout.config;

import dev.turnout.dtab.Path;

/**
 * A configured namer of one of the kinds Turnout implements, mounted at {@link #prefix()} ({@code
 * /#/io.l5d.fs}, or {@code /#/<prefix>} when the block sets {@code prefix}). Each kind is a record of
 * its own keys; the app starts the namer a record describes.
 */
public sealed interface NamerConfig permits NamerConfig.Fs, NamerConfig.K8s {

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
