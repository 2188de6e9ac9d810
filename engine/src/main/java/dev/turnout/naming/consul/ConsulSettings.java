package dev.turnout.naming.consul;

import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How an {@code io.l5d.consul} namer talks to its agent, with Linkerd 1's keys and defaults: the agent
 * at {@code base} ({@code http://localhost:8500}), an ACL {@code token} sent as {@code X-Consul-Token},
 * {@code includeTag} (paths {@code /DC/TAG/SERVICE}), {@code useHealthCheck} with the {@code
 * healthStatuses} kept (the worst check of an instance decides its status), the {@code consistency} mode
 * of reads, {@code preferServiceAddress} (the service's own address over its node's), tag {@code
 * weights} (an instance gets the highest weight among its tags, 1.0 with none) and {@code setHost}
 * (bound names carry {@code SERVICE.service.DC.DOMAIN} as their {@code authority} metadata).
 *
 * @param blockingWait how long one blocking query may be held by the agent ({@code wait=}); Consul caps it at
 *     10 minutes and defaults to 5
 */
public record ConsulSettings(
    URI base,
    Optional<String> token,
    boolean includeTag,
    boolean useHealthCheck,
    Set<HealthStatus> healthStatuses,
    Consistency consistency,
    boolean preferServiceAddress,
    Map<String, Double> weights,
    boolean setHost,
    Duration blockingWait) {

  /** Consul's read consistency modes, as the {@code consistencyMode} key names them. */
  public enum Consistency {
    DEFAULT,
    STALE,
    CONSISTENT
  }

  /** A health check's status, in rising order of severity (an instance takes its worst). */
  public enum HealthStatus {
    PASSING,
    WARNING,
    CRITICAL,
    MAINTENANCE;

    /** {@code passing}, {@code warning}, {@code critical} or {@code maintenance}, any case. */
    public static Optional<HealthStatus> named(String name) {
      for (HealthStatus s : values()) {
        if (s.name().equalsIgnoreCase(name)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);

  public ConsulSettings {
    if (base == null || base.getHost() == null || base.getPort() < 1) {
      throw new IllegalArgumentException("a consul namer needs an agent address with host and port, not " + base);
    }
    if (token == null || consistency == null || weights == null || healthStatuses == null || blockingWait == null) {
      throw new IllegalArgumentException("absent values are empty, not null");
    }
    if (healthStatuses.isEmpty()) {
      throw new IllegalArgumentException("healthStatuses names at least one status");
    }
    if (blockingWait.compareTo(Duration.ofSeconds(1)) < 0 || blockingWait.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("a blocking query waits 1 s to 10 min, not " + blockingWait);
    }
    for (Map.Entry<String, Double> w : weights.entrySet()) {
      if (!(w.getValue() >= 0) || w.getValue().isInfinite()) {
        throw new IllegalArgumentException("weight of tag " + w.getKey() + " must be a finite number >= 0");
      }
    }
    healthStatuses = Set.copyOf(EnumSet.copyOf(healthStatuses));
    weights = Map.copyOf(weights);
  }

  /** Linkerd's defaults for an agent at {@code host:port}. */
  public static ConsulSettings defaults(String host, int port) {
    return new ConsulSettings(
        URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port),
        Optional.empty(),
        false,
        false,
        Set.of(HealthStatus.PASSING),
        Consistency.DEFAULT,
        true,
        Map.of(),
        false,
        DEFAULT_WAIT);
  }

  public ConsulSettings withToken(String t) {
    return new ConsulSettings(base, Optional.of(t), includeTag, useHealthCheck, healthStatuses, consistency,
        preferServiceAddress, weights, setHost, blockingWait);
  }

  public ConsulSettings withIncludeTag(boolean on) {
    return new ConsulSettings(base, token, on, useHealthCheck, healthStatuses, consistency,
        preferServiceAddress, weights, setHost, blockingWait);
  }

  public ConsulSettings withHealthCheck(Set<HealthStatus> statuses) {
    return new ConsulSettings(base, token, includeTag, true, statuses, consistency,
        preferServiceAddress, weights, setHost, blockingWait);
  }

  public ConsulSettings withConsistency(Consistency c) {
    return new ConsulSettings(base, token, includeTag, useHealthCheck, healthStatuses, c,
        preferServiceAddress, weights, setHost, blockingWait);
  }

  public ConsulSettings withPreferServiceAddress(boolean on) {
    return new ConsulSettings(base, token, includeTag, useHealthCheck, healthStatuses, consistency,
        on, weights, setHost, blockingWait);
  }

  public ConsulSettings withWeights(Map<String, Double> w) {
    return new ConsulSettings(base, token, includeTag, useHealthCheck, healthStatuses, consistency,
        preferServiceAddress, w, setHost, blockingWait);
  }

  public ConsulSettings withSetHost(boolean on) {
    return new ConsulSettings(base, token, includeTag, useHealthCheck, healthStatuses, consistency,
        preferServiceAddress, weights, on, blockingWait);
  }

  /** The same agent over HTTPS. */
  public ConsulSettings withHttps() {
    URI https = URI.create("https://" + base.getRawAuthority());
    return new ConsulSettings(https, token, includeTag, useHealthCheck, healthStatuses, consistency,
        preferServiceAddress, weights, setHost, blockingWait);
  }

  public ConsulSettings withWait(Duration w) {
    return new ConsulSettings(base, token, includeTag, useHealthCheck, healthStatuses, consistency,
        preferServiceAddress, weights, setHost, w);
  }
}
