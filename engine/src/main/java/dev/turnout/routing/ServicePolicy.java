package dev.turnout.routing;

import dev.turnout.config.RetryBackoff;
import java.time.Duration;
import java.util.Optional;

/**
 * What applies to the requests of one service name, resolved by its {@link Router} once per name from
 * the router's {@code service:} block ({@link dev.turnout.config.ServiceConfig#forService}): how
 * answers are judged, the retry budget retries draw on, the wait before each retry and the time the
 * whole request may take, when the service sets one. {@code grpc}: an h2 router's gRPC classifier, which
 * judges gRPC answers by {@code grpc-status}; {@code classifier} then judges the rest (and is {@code
 * nonRetryable5XX}).
 */
public record ServicePolicy(
    ResponseClassifier classifier,
    RetryBudget retryBudget,
    RetryBackoff backoff,
    Optional<Duration> totalTimeout,
    Optional<GrpcClassifier> grpc) {

  /** A policy whose answers are judged by their HTTP status alone. */
  public ServicePolicy(
      ResponseClassifier classifier, RetryBudget retryBudget, RetryBackoff backoff, Optional<Duration> totalTimeout) {
    this(classifier, retryBudget, backoff, totalTimeout, Optional.empty());
  }
}
