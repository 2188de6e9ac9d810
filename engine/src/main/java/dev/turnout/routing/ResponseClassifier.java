package dev.turnout.routing;

import java.util.Set;

/**
 * Linkerd 1's HTTP response classifiers. A 5xx is a failure for all but {@code allSuccessful}; whether it
 * may be retried depends on the method: {@code retryableRead5XX} retries GET, HEAD, OPTIONS and TRACE,
 * {@code retryableIdempotent5XX} also PUT and DELETE, {@code retryableAll5XX} also POST and PATCH (not
 * CONNECT, as in Linkerd), {@code nonRetryable5XX} never. An attempt that timed out is judged as a 5xx
 * is ({@link #classifyTimeout}), since Linkerd's retryable classifiers retry a timeout of the methods
 * they retry a 5xx of. A connection that could not be made sent nothing, so it is always retryable
 * ({@link #CONNECT_FAILED}). An h2 router's {@code io.l5d.h2.*} kinds of the same names are these
 * (Linkerd's H2Classifiers match the same methods); its gRPC ones are {@link GrpcClassifier}.
 */
public enum ResponseClassifier {
  NON_RETRYABLE_5XX("io.l5d.http.nonRetryable5XX", Set.of()),
  RETRYABLE_READ_5XX("io.l5d.http.retryableRead5XX", Set.of("GET", "HEAD", "OPTIONS", "TRACE")),
  RETRYABLE_IDEMPOTENT_5XX(
      "io.l5d.http.retryableIdempotent5XX",
      Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE")),
  RETRYABLE_ALL_5XX(
      "io.l5d.http.retryableAll5XX",
      Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE", "POST", "PATCH")),
  ALL_SUCCESSFUL("io.l5d.http.allSuccessful", Set.of());

  /** The class of an attempt whose connection could not be opened. */
  public static final ResponseClass CONNECT_FAILED = ResponseClass.RETRYABLE_FAILURE;

  private final String kind;
  private final Set<String> retryableMethods;

  ResponseClassifier(String kind, Set<String> retryableMethods) {
    this.kind = kind;
    this.retryableMethods = retryableMethods;
  }

  public String kind() {
    return kind;
  }

  /** The classifier named {@code kind}, as the config writes it. @throws IllegalArgumentException */
  public static ResponseClassifier of(String kind) {
    for (ResponseClassifier c : values()) {
      if (c.kind.equals(kind) || c.kind.equals("io.l5d.http." + kind) || c.kind.equals("io.l5d." + kind)
          || (kind.startsWith("io.l5d.h2.") && c.kind.equals("io.l5d.http." + kind.substring(10)))) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown response classifier " + kind);
  }

  /** Whether sending {@code method} twice means the same as once (RFC 9110 section 9.2.2). */
  public static boolean isIdempotent(String method) {
    return RETRYABLE_IDEMPOTENT_5XX.retryableMethods.contains(method);
  }

  public ResponseClass classify(String method, int status) {
    if (this == ALL_SUCCESSFUL || status < 500) {
      return ResponseClass.SUCCESS;
    }
    return classifyTimeout(method);
  }

  /**
   * An attempt with no answer within its {@code requestAttemptTimeoutMs}: a failure under every
   * classifier (Linkerd's allSuccessful too, which only judges answers), retryable for the methods the
   * classifier retries.
   */
  public ResponseClass classifyTimeout(String method) {
    return retryableMethods.contains(method) ? ResponseClass.RETRYABLE_FAILURE : ResponseClass.FAILURE;
  }
}
