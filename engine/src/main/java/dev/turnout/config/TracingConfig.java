package dev.turnout.config;

import java.util.List;
import java.util.Optional;

/**
 * The telemeters that follow requests rather than count them: {@code io.l5d.zipkin} (Zipkin v2 spans
 * over HTTP), {@code turnout.otlp} (OTLP over HTTP) and {@code io.l5d.recentRequests} (the dashboard's
 * panel of the last sampled requests), in the order written.
 */
public record TracingConfig(
    List<Zipkin> zipkin, List<Otlp> otlp, Optional<RecentRequests> recentRequests) {
  public static final int ZIPKIN_PORT = 9411;
  /** Linkerd 1's default sampleRate for io.l5d.zipkin. */
  public static final double DEFAULT_SAMPLE_RATE = 0.001;

  public TracingConfig {
    zipkin = List.copyOf(zipkin);
    otlp = List.copyOf(otlp);
  }

  public static TracingConfig none() {
    return new TracingConfig(List.of(), List.of(), Optional.empty());
  }

  /** {@code io.l5d.zipkin}: spans to {@code http://host:port/api/v2/spans}. */
  public record Zipkin(String host, int port, double sampleRate) {
    public Zipkin {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host: must name the Zipkin server");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port: must be 1-65535");
      }
      checkRate(sampleRate);
    }
  }

  /** {@code turnout.otlp}: spans to an OTLP/HTTP {@code endpoint} ({@code http://host:4318/v1/traces}). */
  public record Otlp(String endpoint, double sampleRate) {
    public Otlp {
      if (endpoint == null || !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
        throw new IllegalArgumentException("endpoint: must be an http:// or https:// URL, such as http://127.0.0.1:4318/v1/traces");
      }
      checkRate(sampleRate);
    }
  }

  /** {@code io.l5d.recentRequests}: the last {@code capacity} of the requests sampled at {@code sampleRate}. */
  public record RecentRequests(double sampleRate, int capacity) {
    public RecentRequests {
      checkRate(sampleRate);
      if (capacity < 1 || capacity > 10_000) {
        throw new IllegalArgumentException("capacity: must be 1-10000");
      }
    }
  }

  static void checkRate(double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("sampleRate: must be between 0.0 and 1.0");
    }
  }
}
