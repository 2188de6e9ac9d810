package dev.turnout.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A router's {@code client:}, as Linkerd 1 writes it: the keys straight under the block ({@code kind:
 * io.l5d.global}, or no kind) or per bound-client prefix ({@code kind: io.l5d.static, configs:
 * [{prefix: "/#/io.l5d.fs/{service}", ...}]}). The keys: when an endpoint is taken out of rotation
 * ({@code failureAccrual}), how one is picked ({@code loadBalancer}), how long a connection attempt
 * ({@code connectTimeoutMs}, Turnout's own) and a request attempt ({@code requestAttemptTimeoutMs}) may
 * take, the connections per endpoint ({@code hostConnectionPool}), {@code failFast}, and the budget of
 * re-sending requests no backend received ({@code requeueBudget}). Linkerd's {@code aperture} and
 * {@code heap} balancers run as {@code ewma} with a warning, since the traffic still reaches the same
 * endpoints; a balancer nobody knows is an error. {@code tls} of the global block is read and checked
 * as Linkerd reads it, and an enabled one is spoken to every endpoint; an {@code io.l5d.static}
 * entry's {@code tls} applies to the clients its prefix matches, its {@code commonName} (and, in
 * Turnout, its file paths) holding the prefix's {@code {captures}}.
 */
final class ClientReader {
  private static final String[] KEYS = {
    "failureAccrual", "loadBalancer", "connectTimeoutMs", "requestAttemptTimeoutMs", "hostConnectionPool",
    "failFast", "requeueBudget"
  };

  private ClientReader() {}

  /** Linkerd's h2 client keys ({@code H2EndpointConfig}), read in an h2 router's global client block. */
  private static final String[] H2_KEYS = {
    "initialStreamWindowBytes", "maxFrameBytes", "maxHeaderListBytes", "headerTableBytes", "windowUpdateRatio"
  };

  static ClientConfig read(ConfigContext context, YamlNode n) {
    return read(context, n, false);
  }

  /** An http router's client block, or with {@code h2} an h2 router's, which also takes Linkerd's h2 keys. */
  static ClientConfig read(ConfigContext context, YamlNode n, boolean h2) {
    ClientConfig d = new ClientConfig(defaultAccrual(), "ewma", defaultConnectTimeout());
    if (!PerPrefix.isStatic(n)) {
      String[] keys = ServiceReader.with("kind", ServiceReader.with("tls", KEYS));
      if (h2) {
        keys = java.util.stream.Stream.concat(java.util.Arrays.stream(keys), java.util.Arrays.stream(H2_KEYS))
            .toArray(String[]::new);
      }
      n.only(keys);
      ClientConfig c = entry(context, n, PathPattern.ALL).applyTo(d).withTls(tls(context, n.get("tls")));
      return h2 ? c.withH2(h2Settings(context, n)) : c;
    }
    if (h2) {
      for (int i = 0; i < n.get("configs").size(); i++) {
        YamlNode c = n.get("configs").at(i);
        for (String k : H2_KEYS) {
          if (c.has(k)) {
            throw new ConfigException(c.path + "." + k + ": HTTP/2 settings per prefix are not supported by Turnout;"
                + " set them in a client block without kind (io.l5d.global), for every client of the router");
          }
        }
      }
    }
    n.only("kind", "configs");
    List<ClientConfig.Entry> entries =
        PerPrefix.entries(
            n,
            c -> {
              c.only(ServiceReader.with("prefix", ServiceReader.with("tls", KEYS)));
              PathPattern prefix = PerPrefix.prefix(c);
              ClientConfig.Entry e = entry(context, c, prefix);
              return new ClientConfig.Entry(e.prefix(), e.failureAccrual(), e.loadBalancer(), e.connectTimeout(),
                  e.requestAttemptTimeout(), e.hostConnectionPool(), e.failFast(), e.requeueBudget(),
                  entryTls(context, c.get("tls"), prefix));
            });
    return new ClientConfig(
        d.failureAccrual(), d.loadBalancer(), d.connectTimeout(), d.requestAttemptTimeout(),
        d.hostConnectionPool(), d.failFast(), d.requeueBudget(), entries);
  }

  /**
   * An h2 router client's HTTP/2 settings, each Linkerd's key, checked as RFC 9113 (and Netty, for the
   * ratio) bounds them. A {@code windowUpdateRatio} other than Undertow's fixed half is warned.
   */
  private static H2ClientSettings h2Settings(ConfigContext context, YamlNode n) {
    H2ClientSettings d = H2ClientSettings.DEFAULT;
    int window = n.positiveInt("initialStreamWindowBytes", d.initialStreamWindowBytes());
    int frame = n.positiveInt("maxFrameBytes", d.maxFrameBytes());
    int headerList = n.positiveInt("maxHeaderListBytes", d.maxHeaderListBytes());
    int table = n.nonNegativeInt("headerTableBytes", d.headerTableBytes());
    double ratio = n.number("windowUpdateRatio", d.windowUpdateRatio());
    H2ClientSettings s;
    try {
      s = new H2ClientSettings(window, frame, headerList, table, ratio);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(n.path + "." + e.getMessage());
    }
    if (s.windowUpdateRatio() != H2ClientSettings.APPLIED_WINDOW_UPDATE_RATIO) {
      context.warn(n.path + ".windowUpdateRatio", "read but not applied: Turnout's HTTP/2 client refills a window once half"
          + " of it is used (0.5)");
    }
    return s;
  }

  /**
   * {@code client.tls}, read and checked as Linkerd reads it: an enabled one is spoken to every
   * endpoint of the router's clients.
   */
  private static Optional<ClientTlsConfig> tls(ConfigContext context, YamlNode n) {
    if (n.isMissing()) {
      return Optional.empty();
    }
    return Optional.of(TlsReader.client(context, n));
  }

  /**
   * An {@code io.l5d.static} entry's {@code tls}: Linkerd's client block, whose {@code commonName} may
   * hold the prefix's {@code {captures}}; Turnout also fills them in in the file paths. A {@code {name}}
   * the prefix does not capture is refused: Linkerd would leave it as written, and no certificate is
   * for a name with braces (nor is a file so named meant).
   */
  private static Optional<ClientTlsConfig> entryTls(ConfigContext context, YamlNode n, PathPattern prefix) {
    if (n.isMissing()) {
      return Optional.empty();
    }
    ClientTlsConfig tls = TlsReader.client(context, n);
    if (tls.enabled()) {
      Set<String> captured = prefix.captures();
      String at = n.path + ".";
      tls.commonName().ifPresent(cn -> uncaptured(at + "commonName", cn, captured, prefix));
      for (int i = 0; i < tls.trustCerts().size(); i++) {
        uncaptured(at + "trustCerts[" + i + "]", tls.trustCerts().get(i).toString(), captured, prefix);
      }
      tls.trustCertsBundle().ifPresent(f -> uncaptured(at + "trustCertsBundle", f.toString(), captured, prefix));
      tls.clientAuth().ifPresent(a -> {
        uncaptured(at + "clientAuth.certPath", a.certPath().toString(), captured, prefix);
        uncaptured(at + "clientAuth.keyPath", a.keyPath().toString(), captured, prefix);
        a.intermediateCertsPath()
            .ifPresent(f -> uncaptured(at + "clientAuth.intermediateCertsPath", f.toString(), captured, prefix));
      });
    }
    return Optional.of(tls);
  }

  private static void uncaptured(String at, String value, Set<String> captured, PathPattern prefix) {
    for (String name : PathPattern.names(value)) {
      if (!captured.contains(name)) {
        throw new ConfigException(at + ": {" + name + "} is not captured by the prefix " + prefix.text()
            + (captured.isEmpty() ? ", which captures nothing" : " (it captures {" + String.join("}, {", captured) + "})"));
      }
    }
  }

  /**
   * Finagle's default: a host that drops connection attempts is given up on after a second, counted
   * against it and the request tried elsewhere, instead of holding the request to its timeout.
   */
  private static Duration defaultConnectTimeout() {
    return Duration.ofSeconds(1);
  }

  private static FailureAccrualConfig defaultAccrual() {
    return new FailureAccrualConfig(
        "io.l5d.consecutiveFailures", 5, 0.8, 20, Duration.ofSeconds(5), Duration.ofMinutes(5));
  }

  private static ClientConfig.Entry entry(ConfigContext context, YamlNode n, PathPattern prefix) {
    YamlNode fa = n.get("failureAccrual");
    YamlNode lb = n.get("loadBalancer");
    YamlNode pool = n.get("hostConnectionPool");
    YamlNode requeue = n.get("requeueBudget");
    return new ClientConfig.Entry(
        prefix,
        fa.isMissing() ? Optional.empty() : Optional.of(failureAccrual(fa)),
        lb.isMissing() ? Optional.empty() : Optional.of(loadBalancer(context, lb)),
        optionalMillis(n, "connectTimeoutMs"),
        optionalMillis(n, "requestAttemptTimeoutMs"),
        pool.isMissing() ? Optional.empty() : Optional.of(pool(pool)),
        n.has("failFast") ? Optional.of(n.bool("failFast", false)) : Optional.empty(),
        requeue.isMissing() ? Optional.empty() : Optional.of(PerPrefix.budget(requeue)));
  }

  private static Optional<Duration> optionalMillis(YamlNode n, String key) {
    return n.has(key) ? Optional.of(n.millis(key, Duration.ZERO)) : Optional.empty();
  }

  private static String loadBalancer(ConfigContext context, YamlNode lb) {
    lb.only("kind");
    String kind = lb.text("kind", "ewma");
    if (List.of("ewma", "p2c", "roundRobin").contains(kind)) {
      return kind;
    }
    if (List.of("aperture", "heap").contains(kind)) {
      context.warn(lb.path + ".kind", kind + " is not implemented by Turnout; using ewma");
      return "ewma";
    }
    throw new ConfigException(lb.path + ".kind: must be ewma, p2c or roundRobin, not " + kind);
  }

  /** Finagle's DefaultPool keys; each absent one keeps Turnout's unconfigured pool's value. */
  private static HostConnectionPool pool(YamlNode p) {
    p.only("minSize", "maxSize", "idleTimeMs", "maxWaiters");
    HostConnectionPool d = HostConnectionPool.DEFAULT;
    int min = p.nonNegativeInt("minSize", d.minSize());
    int max = p.positiveInt("maxSize", d.maxSize());
    Duration idle = p.millis("idleTimeMs", d.idleTime());
    int waiters = p.nonNegativeInt("maxWaiters", d.maxWaiters());
    return PerPrefix.checked(p.path, () -> new HostConnectionPool(min, max, idle, waiters));
  }

  private static FailureAccrualConfig failureAccrual(YamlNode fa) {
    fa.only("kind", "failures", "successRate", "requests", "window", "backoff");
    String kind = fa.text("kind", "io.l5d.consecutiveFailures");
    if (!FailureAccrualConfig.KINDS.contains(kind)) {
      throw new ConfigException(
          fa.path + ".kind: must be " + String.join(", ", FailureAccrualConfig.KINDS) + ", not " + kind);
    }
    YamlNode backoff = fa.get("backoff");
    Duration min = Duration.ofSeconds(5);
    Duration max = Duration.ofMinutes(5);
    if (!backoff.isMissing()) {
      if (backoff.has("kind")) {
        RetryBackoff b = ServiceReader.backoff(backoff);
        min = b.min();
        max = b.max();
      } else {
        // Turnout read minMs/maxMs without a kind before it read Linkerd's kinds: still jittered.
        backoff.only("minMs", "maxMs");
        min = backoff.millis("minMs", min);
        max = backoff.millis("maxMs", max);
      }
    }
    if (max.compareTo(min) < 0) {
      throw new ConfigException(backoff.path + ".maxMs: must not be less than minMs");
    }
    double rate = fa.number("successRate", 0.8);
    if (rate <= 0 || rate > 1) {
      throw new ConfigException(fa.path + ".successRate: must be in (0, 1]");
    }
    Duration window = Duration.ofSeconds(30);
    if (kind.equals("io.l5d.successRateWindowed")) {
      fa.requiredText("successRate");
      fa.requiredText("window");
      window = Duration.ofSeconds(fa.positiveInt("window", 30));
    }
    return new FailureAccrualConfig(
        kind, fa.positiveInt("failures", 5), rate, fa.positiveInt("requests", 20), min, max, window);
  }
}
