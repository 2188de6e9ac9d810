package dev.turnout.routing;

import java.util.Set;
import java.util.TreeSet;

/**
 * Linkerd 1's gRPC response classifiers ({@code linkerd/protocol/h2/.../grpc/GrpcClassifier.scala}):
 * a gRPC answer is judged by its {@code grpc-status}, whether it came in the trailers or in a
 * trailers-only answer's head, never by its HTTP status (always 200). A status in {@code
 * successStatusCodes} (default {@code 0}, OK) is a success; any other a failure, retryable as the kind
 * says: {@code io.l5d.h2.grpc.default} and {@code .compliant} retry UNAVAILABLE (14), {@code
 * .alwaysRetryable} every failure, {@code .neverRetryable} none, {@code .retryableStatusCodes} the
 * codes listed. An HTTP 4xx or 5xx answer is a failure, retryable only under {@code compliant} and
 * only for 429, 502, 503 and 504.
 *
 * <p>The config carries a classifier as one line of text ({@link #text}), so that a service's
 * classifier stays a string wherever the config is compared, stored or shown; {@link #parse} reads it.
 */
public record GrpcClassifier(Kind kind, Set<Integer> successStatusCodes, Set<Integer> retryableStatusCodes) {

  /** The gRPC status UNAVAILABLE, which Turnout answers a gRPC request it could not route with. */
  public static final int UNAVAILABLE = 14;

  public enum Kind {
    DEFAULT("io.l5d.h2.grpc.default"),
    COMPLIANT("io.l5d.h2.grpc.compliant"),
    ALWAYS_RETRYABLE("io.l5d.h2.grpc.alwaysRetryable"),
    NEVER_RETRYABLE("io.l5d.h2.grpc.neverRetryable"),
    RETRYABLE_STATUS_CODES("io.l5d.h2.grpc.retryableStatusCodes");

    public final String id;

    Kind(String id) {
      this.id = id;
    }

    /** The kind named {@code id}; null when it is not a gRPC classifier. */
    public static Kind of(String id) {
      for (Kind k : values()) {
        if (k.id.equals(id)) {
          return k;
        }
      }
      return null;
    }
  }

  public GrpcClassifier {
    if (kind == null) {
      throw new IllegalArgumentException("kind is required");
    }
    successStatusCodes = Set.copyOf(successStatusCodes);
    retryableStatusCodes = Set.copyOf(retryableStatusCodes);
    if (kind != Kind.RETRYABLE_STATUS_CODES && !retryableStatusCodes.isEmpty()) {
      throw new IllegalArgumentException("retryableStatusCodes is a key of " + Kind.RETRYABLE_STATUS_CODES.id + " only");
    }
  }

  /** Whether {@code kind} (a service's classifier text) is a gRPC classifier's. */
  public static boolean isGrpc(String text) {
    return text.startsWith("io.l5d.h2.grpc.");
  }

  /** The classifier's line: its kind, then {@code ;success=0,..} and {@code ;retryable=..}. */
  public String text() {
    StringBuilder b = new StringBuilder(kind.id).append(";success=").append(join(successStatusCodes));
    if (kind == Kind.RETRYABLE_STATUS_CODES) {
      b.append(";retryable=").append(join(retryableStatusCodes));
    }
    return b.toString();
  }

  /** @throws IllegalArgumentException when {@code text} is not a line {@link #text} writes */
  public static GrpcClassifier parse(String text) {
    String[] parts = text.split(";");
    Kind kind = Kind.of(parts[0]);
    if (kind == null) {
      throw new IllegalArgumentException("unknown gRPC response classifier " + parts[0]);
    }
    Set<Integer> success = Set.of(0);
    Set<Integer> retryable = Set.of();
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i];
      if (p.startsWith("success=")) {
        success = codes(p.substring(8));
      } else if (p.startsWith("retryable=")) {
        retryable = codes(p.substring(10));
      } else {
        throw new IllegalArgumentException("unknown part " + p + " of gRPC classifier " + text);
      }
    }
    return new GrpcClassifier(kind, success, retryable);
  }

  /** The class of a gRPC answer with status {@code code}. */
  public ResponseClass classifyStatus(int code) {
    if (successStatusCodes.contains(code)) {
      return ResponseClass.SUCCESS;
    }
    boolean retry =
        switch (kind) {
          case DEFAULT, COMPLIANT -> code == UNAVAILABLE;
          case ALWAYS_RETRYABLE -> true;
          case NEVER_RETRYABLE -> false;
          case RETRYABLE_STATUS_CODES -> retryableStatusCodes.contains(code);
        };
    return retry ? ResponseClass.RETRYABLE_FAILURE : ResponseClass.FAILURE;
  }

  /**
   * The class of an answer's HTTP status, or null when only its {@code grpc-status} can tell (a status
   * below 400 and no {@code grpc-status} yet).
   */
  public ResponseClass classifyHttp(int status) {
    if (status < 400) {
      return null;
    }
    boolean retry = kind == Kind.COMPLIANT && (status == 429 || status == 502 || status == 503 || status == 504);
    return retry ? ResponseClass.RETRYABLE_FAILURE : ResponseClass.FAILURE;
  }

  /**
   * A gRPC answer that ended with no {@code grpc-status} at all (the stream was cut, or the backend is
   * not gRPC): a failure, not retryable, as Linkerd's stream classifier's last case.
   */
  public ResponseClass classifyMissing() {
    return ResponseClass.FAILURE;
  }

  private static Set<Integer> codes(String list) {
    Set<Integer> out = new TreeSet<>();
    if (list.isEmpty()) {
      return out;
    }
    for (String c : list.split(",")) {
      out.add(Integer.parseInt(c.strip()));
    }
    return out;
  }

  private static String join(Set<Integer> codes) {
    StringBuilder b = new StringBuilder();
    for (int c : new TreeSet<>(codes)) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(c);
    }
    return b.toString();
  }
}
