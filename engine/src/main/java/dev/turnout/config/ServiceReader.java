package dev.turnout.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import dev.turnout.routing.GrpcClassifier;

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

  /** An h2 router's HTTP/2 classifiers (Linkerd's H2Classifiers, the same rules as the http ones). */
  static final List<String> H2_CLASSIFIERS =
      List.of(
          "io.l5d.h2.nonRetryable5XX",
          "io.l5d.h2.retryableRead5XX",
          "io.l5d.h2.retryableIdempotent5XX",
          "io.l5d.h2.retryableAll5XX",
          "io.l5d.h2.allSuccessful");

  private static final String[] KEYS = {"responseClassifier", "retries", "totalTimeoutMs"};

  private ServiceReader() {}

  static ServiceConfig read(YamlNode n) {
    return read(n, false);
  }

  /**
   * @param h2 the router is an h2 one: its classifiers are Linkerd's h2 and gRPC ones, and its default
   *     is {@code io.l5d.h2.nonRetryable5XX}
   */
  static ServiceConfig read(YamlNode n, boolean h2) {
    ServiceConfig d = ServiceConfig.DEFAULT;
    if (h2) {
      d = new ServiceConfig(
          "io.l5d.h2.nonRetryable5XX", d.percentCanRetry(), d.minRetriesPerSec(), d.retryTtl(), d.backoff(),
          d.totalTimeout(), List.of());
    }
    if (!PerPrefix.isStatic(n)) {
      n.only(with("kind", KEYS));
      return entry(n, PathPattern.ALL, h2).applyTo(d);
    }
    n.only("kind", "configs");
    List<ServiceConfig.Entry> entries =
        PerPrefix.entries(
            n,
            c -> {
              c.only(with("prefix", KEYS));
              return entry(c, PerPrefix.prefix(c), h2);
            });
    return new ServiceConfig(
        d.responseClassifier(), d.percentCanRetry(), d.minRetriesPerSec(), d.retryTtl(), d.backoff(),
        d.totalTimeout(), entries);
  }

  private static ServiceConfig.Entry entry(YamlNode n, PathPattern prefix, boolean h2) {
    Optional<String> classifier = Optional.empty();
    YamlNode rc = n.get("responseClassifier");
    if (!rc.isMissing()) {
      classifier = Optional.of(h2 ? h2Classifier(rc) : httpClassifier(rc));
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

  private static String httpClassifier(YamlNode rc) {
    rc.only("kind");
    String kind = rc.requiredText("kind");
    if (!CLASSIFIERS.contains(kind)) {
      throw new ConfigException(rc.path + ".kind: unknown response classifier " + kind
          + (kind.startsWith("io.l5d.h2.") ? " (an h2 router's; this router is http)" : ""));
    }
    return kind;
  }

  /**
   * An h2 router's classifier: one of {@link #H2_CLASSIFIERS}, or a gRPC one with its {@code
   * successStatusCodes} (default [0]) and, for {@code retryableStatusCodes}, the codes it retries.
   */
  private static String h2Classifier(YamlNode rc) {
    String kind = rc.requiredText("kind");
    if (H2_CLASSIFIERS.contains(kind)) {
      rc.only("kind");
      return kind;
    }
    GrpcClassifier.Kind grpc = GrpcClassifier.Kind.of(kind);
    if (grpc == null) {
      throw new ConfigException(rc.path + ".kind: unknown response classifier " + kind + " for an h2 router"
          + (kind.startsWith("io.l5d.http.") ? " (use the io.l5d.h2. one of that name)" : ""));
    }
    Set<Integer> retryable = Set.of();
    if (grpc == GrpcClassifier.Kind.RETRYABLE_STATUS_CODES) {
      rc.only("kind", "successStatusCodes", "retryableStatusCodes");
      if (!rc.has("retryableStatusCodes")) {
        throw new ConfigException(rc.path + ".retryableStatusCodes: required by " + kind);
      }
      retryable = statusCodes(rc.get("retryableStatusCodes"));
    } else {
      rc.only("kind", "successStatusCodes");
    }
    Set<Integer> success = rc.has("successStatusCodes") ? statusCodes(rc.get("successStatusCodes")) : Set.of(0);
    return new GrpcClassifier(grpc, success, retryable).text();
  }

  /** A list of gRPC status codes, each 0 to 16. */
  private static Set<Integer> statusCodes(YamlNode list) {
    if (!list.node.isArray()) {
      throw new ConfigException(list.path + ": must be a list of gRPC status codes (0 to 16)");
    }
    Set<Integer> codes = new TreeSet<>();
    for (int i = 0; i < list.size(); i++) {
      com.fasterxml.jackson.databind.JsonNode c = list.at(i).node;
      if (!c.canConvertToInt() || !c.isIntegralNumber() || c.asInt() < 0 || c.asInt() > 16) {
        throw new ConfigException(list.path + "[" + i + "]: must be a gRPC status code, 0 to 16, not " + c.asText());
      }
      codes.add(c.asInt());
    }
    return codes;
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
