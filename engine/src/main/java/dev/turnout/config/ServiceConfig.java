package dev.turnout.config;

import dev.turnout.dtab.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A router's {@code service:} block: how responses are judged and retried, and how long a request may
 * take, per service name. The components are what applies to a service no entry matches (Linkerd's
 * defaults, or the keys of {@code io.l5d.global}); {@code configs} are the {@code io.l5d.static}
 * entries, each applied over it in order when its prefix matches ({@link #forService}).
 *
 * @param responseClassifier the kind of the response classifier
 * @param percentCanRetry the retry budget's share of requests (with {@code minRetriesPerSec} and
 *     {@code retryTtl}, the {@link #budget()})
 * @param backoff the wait before each retry
 * @param totalTimeout the whole request's time, retries included ({@code totalTimeoutMs}); empty: the
 *     router's {@code requestTimeoutMs}
 */
public record ServiceConfig(
    String responseClassifier,
    double percentCanRetry,
    int minRetriesPerSec,
    Duration retryTtl,
    RetryBackoff backoff,
    Optional<Duration> totalTimeout,
    List<Entry> configs) {

  public ServiceConfig {
    configs = List.copyOf(configs);
    budget(percentCanRetry, minRetriesPerSec, retryTtl); // validates
  }

  /** A global service block without a backoff or total timeout. */
  public ServiceConfig(String responseClassifier, double percentCanRetry, int minRetriesPerSec, Duration retryTtl) {
    this(responseClassifier, percentCanRetry, minRetriesPerSec, retryTtl, RetryBackoff.NONE, Optional.empty(), List.of());
  }

  /** Linkerd's defaults: nonRetryable5XX, the default budget, no backoff, no total timeout. */
  static final ServiceConfig DEFAULT =
      new ServiceConfig("io.l5d.http.nonRetryable5XX", 0.2, 10, Duration.ofSeconds(10));

  public RetryBudgetConfig budget() {
    return budget(percentCanRetry, minRetriesPerSec, retryTtl);
  }

  private static RetryBudgetConfig budget(double pct, int min, Duration ttl) {
    return new RetryBudgetConfig(pct, min, ttl);
  }

  /**
   * What applies to {@code service}: this block with every entry whose prefix matches it applied in
   * order, a later entry's keys replacing an earlier one's, key by key; without entries left over.
   */
  public ServiceConfig forService(Path service) {
    ServiceConfig c = new ServiceConfig(
        responseClassifier, percentCanRetry, minRetriesPerSec, retryTtl, backoff, totalTimeout, List.of());
    for (Entry e : configs) {
      if (e.prefix().matches(service)) {
        c = e.applyTo(c);
      }
    }
    return c;
  }

  /**
   * One entry of {@code io.l5d.static} (or the keys of {@code io.l5d.global}): the keys it sets. A
   * {@code retries} entry sets its {@code budget} and its {@code backoff} apart, as Linkerd keeps them.
   */
  public record Entry(
      PathPattern prefix,
      Optional<String> responseClassifier,
      Optional<RetryBudgetConfig> budget,
      Optional<RetryBackoff> backoff,
      Optional<Duration> totalTimeout) {

    ServiceConfig applyTo(ServiceConfig c) {
      RetryBudgetConfig b = budget.orElse(c.budget());
      return new ServiceConfig(
          responseClassifier.orElse(c.responseClassifier()),
          b.percentCanRetry(),
          b.minRetriesPerSec(),
          b.ttl(),
          backoff.orElse(c.backoff()),
          totalTimeout.isPresent() ? totalTimeout : c.totalTimeout(),
          c.configs());
    }
  }
}
