package dev.turnout.proxy;

import dev.turnout.config.RetryBackoff;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * The two timers of one request besides its deadline, both on its IO thread's timer so that nothing
 * ever waits on the thread itself: the current attempt's {@code requestAttemptTimeoutMs}, and the
 * backoff before the next retry, whose length follows the previous one's (a jittered backoff grows);
 * and a gRPC caller's {@code grpc-timeout} until the answer's head.
 * Touched by that IO thread only.
 */
final class RequestTimers {
  /**
   * The timers of a request that has started none, shared by every such request: only ever read (its
   * fields stay null, so the {@code ...Ended} methods change nothing); a timer is started on a request's
   * own instance.
   */
  static final RequestTimers NONE = new RequestTimers();

  private XnioExecutor.Key attempt;
  private XnioExecutor.Key backoff;
  private XnioExecutor.Key grpcDeadline;
  private long lastBackoffMillis;

  /** A gRPC caller's {@code grpc-timeout}: {@code passed} runs after {@code millis} unless ended first. */
  void grpcDeadline(XnioIoThread io, long millis, Runnable passed) {
    grpcDeadline = io.executeAfter(passed, Math.max(1, millis), TimeUnit.MILLISECONDS);
  }

  /** The gRPC call was answered or ended: its deadline is the caller's own business from here. */
  void grpcDeadlineEnded() {
    if (grpcDeadline != null) {
      grpcDeadline.remove();
      grpcDeadline = null;
    }
  }

  /** Times the attempt just started out after {@code millis}, running {@code expired}. */
  void attemptStarted(XnioIoThread io, long millis, Runnable expired) {
    attempt = io.executeAfter(expired, millis, TimeUnit.MILLISECONDS);
  }

  /** The attempt ended, or its timer ran: it is not timed any more. */
  void attemptEnded() {
    if (attempt != null) {
      attempt.remove();
      attempt = null;
    }
  }

  /**
   * Runs {@code retry} after the next wait of {@code policy}: true when it waits, false when the wait is
   * 0 and the caller retries at once.
   */
  boolean backOff(XnioIoThread io, RetryBackoff policy, Runnable retry) {
    long wait = policy.nextMillis(lastBackoffMillis, ThreadLocalRandom.current());
    if (wait <= 0) {
      return false;
    }
    lastBackoffMillis = wait;
    backoff = io.executeAfter(retry, wait, TimeUnit.MILLISECONDS);
    return true;
  }

  /** The backoff has run, or the request ended during it. */
  void backoffEnded() {
    if (backoff != null) {
      backoff.remove();
      backoff = null;
    }
  }
}
