package dev.turnout.tracing;

import java.util.ArrayList;
import java.util.List;

/**
 * One request that {@link Tracing} chose to follow: its server span and one client span per attempt,
 * with what the request came to (service name, bound client, endpoint, status, retries). Made only
 * for sampled requests (a request not sampled has no such object), and touched only by the request's
 * IO thread until {@link #end} hands it to the exporters, after which it does not change.
 *
 * <p>Ids: the trace id is the caller's, or a new 128-bit one; the server span's parent is the caller's
 * span; each attempt's span is a child of the server span, and is what the backend hears as its parent
 * ({@link #l5dCtxTrace()}, {@link #traceparent()}).
 */
public final class RequestTrace {
  /** One attempt: a client span. */
  static final class Attempt {
    final long spanId;
    final String client;
    final String endpoint;
    final long startMicros;
    final long startNanos;
    long durationNanos;
    int status;
    String failure = "";

    Attempt(long spanId, String client, String endpoint, long startMicros, long startNanos) {
      this.spanId = spanId;
      this.client = client;
      this.endpoint = endpoint;
      this.startMicros = startMicros;
      this.startNanos = startNanos;
    }
  }

  private final Tracing tracing;
  final boolean traced;
  final boolean recent;
  final String router;
  final String method;
  final String path;
  final long startMicros;
  final long startNanos;
  final long traceIdHigh;
  final long traceId;
  final long spanId;
  /** The caller's span, or 0 for a trace that starts here. */
  final long parentId;
  String service = "";
  final List<Attempt> attempts = new ArrayList<>(2);
  private Attempt current;
  int status;
  long durationNanos;

  RequestTrace(
      Tracing tracing,
      boolean traced,
      boolean recent,
      String router,
      String method,
      String path,
      long traceIdHigh,
      long traceId,
      long parentId) {
    this.tracing = tracing;
    this.traced = traced;
    this.recent = recent;
    this.router = router;
    this.method = method;
    this.path = path;
    this.startMicros = tracing.epochMicros();
    this.startNanos = System.nanoTime();
    this.traceIdHigh = traceIdHigh;
    this.traceId = traceId;
    this.spanId = Tracing.newId();
    this.parentId = parentId;
  }

  /** Whether spans are made and exported (else the request is only a recent request). */
  public boolean traced() {
    return traced;
  }

  /** The request was given a service name. */
  public void routed(String serviceName) {
    service = serviceName;
  }

  /** An attempt starts, to {@code endpoint} of bound client {@code client}. */
  public void attemptStarted(String client, String endpoint) {
    current = new Attempt(Tracing.newId(), client, endpoint, tracing.epochMicros(), System.nanoTime());
    attempts.add(current);
  }

  /** The current attempt ended: answered with {@code status}, or failed ({@code status} 0) as {@code failure}. */
  public void attemptEnded(int status, String failure) {
    Attempt a = current;
    if (a == null) {
      return;
    }
    current = null;
    a.durationNanos = System.nanoTime() - a.startNanos;
    a.status = status;
    a.failure = failure;
  }

  /** {@code l5d-ctx-trace} for the backend of the current (or last) attempt. */
  public String l5dCtxTrace() {
    return TraceContext.l5d(traceIdHigh, traceId, lastSpan(), spanId, true);
  }

  /** {@code traceparent} for the backend of the current (or last) attempt. */
  public String traceparent() {
    return TraceContext.traceparent(traceIdHigh, traceId, lastSpan(), true);
  }

  private long lastSpan() {
    return attempts.isEmpty() ? spanId : attempts.get(attempts.size() - 1).spanId;
  }

  /** The request's answer has gone with {@code status}: the trace is handed to the exporters. */
  public void end(int status) {
    if (current != null) {
      attemptEnded(0, "cancelled");
    }
    this.status = status;
    this.durationNanos = System.nanoTime() - startNanos;
    tracing.finished(this);
  }

  /** The last attempt's bound client, or empty when none was made. */
  String client() {
    return attempts.isEmpty() ? "" : attempts.get(attempts.size() - 1).client;
  }

  String endpoint() {
    return attempts.isEmpty() ? "" : attempts.get(attempts.size() - 1).endpoint;
  }

  int retries() {
    return Math.max(0, attempts.size() - 1);
  }

  String traceIdHex() {
    return (traceIdHigh != 0 ? TraceContext.hex(traceIdHigh) : "") + TraceContext.hex(traceId);
  }
}
