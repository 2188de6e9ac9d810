package dev.turnout.config;

import java.time.Duration;
import java.util.List;

/**
 * A router's {@code service:}: which responses count as failures and may be retried ({@code
 * responseClassifier}, Linkerd's HTTP classifiers) and the retry budget, which keeps retries to a share
 * of traffic ({@code percentCanRetry} over {@code ttlSecs}) plus a floor ({@code minRetriesPerSec}) so
 * that retries cannot multiply an outage.
 */
final class ServiceReader {
  private static final List<String> CLASSIFIERS =
      List.of(
          "io.l5d.http.nonRetryable5XX",
          "io.l5d.http.retryableRead5XX",
          "io.l5d.http.retryableIdempotent5XX",
          "io.l5d.http.allSuccessful");

  private ServiceReader() {}

  static ServiceConfig read(YamlNode n) {
    n.only("responseClassifier", "retries");
    YamlNode rc = n.get("responseClassifier");
    rc.only("kind");
    String classifier = rc.text("kind", "io.l5d.http.nonRetryable5XX");
    if (!CLASSIFIERS.contains(classifier)) {
      throw new ConfigException(rc.path + ".kind: unknown response classifier " + classifier);
    }
    YamlNode budget = n.get("retries").get("budget");
    n.get("retries").only("budget");
    budget.only("percentCanRetry", "minRetriesPerSec", "ttlSecs");
    double pct = budget.number("percentCanRetry", 0.2);
    if (pct < 0 || pct > 1000) {
      throw new ConfigException(budget.path + ".percentCanRetry: must be between 0 and 1000");
    }
    int ttl = budget.nonNegativeInt("ttlSecs", 10);
    if (ttl < 1 || ttl > 60) {
      throw new ConfigException(budget.path + ".ttlSecs: must be 1-60");
    }
    return new ServiceConfig(classifier, pct, budget.nonNegativeInt("minRetriesPerSec", 10), Duration.ofSeconds(ttl));
  }
}
