package dev.turnout.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A router's {@code service:}, as Linkerd 1 writes it: the keys straight under the block ({@code kind:
 * io.l5d.global}, or no kind) or per service-name prefix ({@code kind: io.l5d.static, configs: [{prefix:
 * /svc/users, ...}]}). The keys: which responses count as failures and may be retried ({@code
 * responseClassifier}, Linkerd's HTTP classifiers), the retry budget, which keeps retries to a share
 * of traffic ({@code percentCanRetry} over {@code ttlSecs}) plus a floor ({@code minRetriesPerSec}) so
 * that retries cannot multiply an outage, the wait before each retry ({@code backoff}) and the time a
 * whole request may take, retries included ({@code totalTimeoutMs}).
 */
final class ServiceReader {
  static final List<String> CLASSIFIERS =
      List.of(
          "io.l5d.http.nonRetryable5XX",
          "io.l5d.http.retryableRead5XX",
          "io.l5d.http.retryableIdempotent5XX",
          "io.l5d.http.retryableAll5XX",
          "io.l5d.http.allSuccessful");

  private static final String[] KEYS = {"responseClassifier", "retries", "totalTimeoutMs"};

  private ServiceReader() {}

  static ServiceConfig read(YamlNode n) {
    ServiceConfig d = ServiceConfig.DEFAULT;
    if (!PerPrefix.isStatic(n)) {
      n.only(with("kind", KEYS));
      return entry(n, PathPattern.ALL).applyTo(d);
    }
    n.only("kind", "configs");
    List<ServiceConfig.Entry> entries =
        PerPrefix.entries(
            n,
            c -> {
              c.only(with("prefix", KEYS));
              return entry(c, PerPrefix.prefix(c));
            });
    return new ServiceConfig(
        d.responseClassifier(), d.percentCanRetry(), d.minRetriesPerSec(), d.retryTtl(), d.backoff(),
        d.totalTimeout(), entries);
  }

  private static ServiceConfig.Entry entry(YamlNode n, PathPattern prefix) {
    Optional<String> classifier = Optional.empty();
    YamlNode rc = n.get("responseClassifier");
    if (!rc.isMissing()) {
      rc.only("kind");
      String kind = rc.requiredText("kind");
      if (!CLASSIFIERS.contains(kind)) {
        throw new ConfigException(rc.path + ".kind: unknown response classifier " + kind);
      }
      classifier = Optional.of(kind);
    }
    YamlNode retries = n.get("retries");
    retries.only("budget", "backoff");
    YamlNode budget = retries.get("budget");
    YamlNode backoff = retries.get("backoff");
    Optional<Duration> total =
        n.has("totalTimeoutMs") ? Optional.of(n.millis("totalTimeoutMs", Duration.ZERO)) : Optional.empty();
    return new ServiceConfig.Entry(
        prefix,
        classifier,
        budget.isMissing() ? Optional.empty() : Optional.of(PerPrefix.budget(budget)),
        backoff.isMissing() ? Optional.empty() : Optional.of(backoff(backoff)),
        total);
  }

  /** {@code {kind: constant, ms}} or {@code {kind: jittered, minMs, maxMs}}, as Linkerd's BackoffConfig. */
  static RetryBackoff backoff(YamlNode b) {
    String kind = b.requiredText("kind");
    switch (kind) {
      case "constant":
        b.only("kind", "ms");
        return RetryBackoff.constant(Duration.ofMillis(b.nonNegativeInt("ms", 0)));
      case "jittered":
        b.only("kind", "minMs", "maxMs");
        b.requiredText("minMs");
        b.requiredText("maxMs");
        Duration min = Duration.ofMillis(b.nonNegativeInt("minMs", 0));
        Duration max = Duration.ofMillis(b.nonNegativeInt("maxMs", 0));
        return PerPrefix.checked(b.path, () -> new RetryBackoff(RetryBackoff.Kind.JITTERED, min, max));
      default:
        throw new ConfigException(b.get("kind").path + ": must be constant or jittered, not " + kind);
    }
  }

  static String[] with(String first, String... keys) {
    String[] all = new String[keys.length + 1];
    all[0] = first;
    System.arraycopy(keys, 0, all, 1, keys.length);
    return all;
  }
}
