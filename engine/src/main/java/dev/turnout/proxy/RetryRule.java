package dev.turnout.proxy;

import dev.turnout.routing.ResponseClassifier;
import dev.turnout.routing.RetryBudget;

/**
 * When a failed attempt is sent again: one rule for every way an attempt fails, read as a table.
 *
 * <pre>
 * failure            | body must be held | method idempotent | budget            | rebinds
 * -------------------+-------------------+-------------------+-------------------+--------
 * NOT_SENT           | no                | no                | first retry free  | yes
 * REFUSED            | yes (or its copy) | no                | first retry free  | yes
 * BROKEN             | yes               | yes               | every retry       | yes
 * RETRYABLE_ANSWER   | yes               | no                | every retry       | no
 * ATTEMPT_TIMEOUT    | yes               | no                | every retry       | no
 * </pre>
 *
 * <p>and never more than {@link #MAX_ATTEMPTS} attempts. Nothing went out when no connection came, or
 * the one that came was dead before the request was written, so any request may go again, to another
 * endpoint or, re-bound, to another alternative: failover within the very request. A connection that
 * broke after the request went out may have broken after the backend acted on it, so only an
 * idempotent request is sent again (RFC 9110 section 9.2.2). A retryable answer (by the router's
 * classifier) is retried as it was bound, and so is an attempt past the client's {@code
 * requestAttemptTimeoutMs} that the classifier calls retryable. A streamed body was read once, so its request never goes
 * twice once it has gone. The budget is asked last, so nothing is withdrawn from it for a retry that
 * the rest of the rule refuses. An HTTP/2 stream the backend did not process (REFUSED: {@code
 * RST_STREAM REFUSED_STREAM}, or past its {@code GOAWAY}'s last stream) is a request never sent too,
 * but its body went out, so it goes again only when the body can be sent again: held whole, or the
 * copy of a streamed one ({@link dev.turnout.proxy.upstream.ReplayPrefix}) still whole. A request that never reached a backend (NOT_SENT) is Finagle's
 * requeue: it draws on the client's {@code requeueBudget} when it has one, else on the service's
 * retry budget, and its first retry is free either way.
 */
final class RetryRule {
  static final int MAX_ATTEMPTS = 4;

  /** How an attempt failed, and the row of the table it reads. */
  enum Failure {
    /** No connection came, or it was dead before a byte of the request was written. */
    NOT_SENT(false, false, true, true),
    /** An HTTP/2 stream the backend refused or went away before processing; its body had gone out. */
    REFUSED(true, false, true, true),
    /** The connection broke after the request went out, before a whole answer came. */
    BROKEN(true, true, false, true),
    /** The backend answered, and the classifier calls the answer retryable. */
    RETRYABLE_ANSWER(true, false, false, false),
    /** No answer came within the attempt timeout, and the classifier calls that retryable. */
    ATTEMPT_TIMEOUT(true, false, false, false);

    final boolean needsHeldBody;
    final boolean needsIdempotent;
    final boolean firstRetryFree;
    final boolean rebinds;

    Failure(boolean needsHeldBody, boolean needsIdempotent, boolean firstRetryFree, boolean rebinds) {
      this.needsHeldBody = needsHeldBody;
      this.needsIdempotent = needsIdempotent;
      this.firstRetryFree = firstRetryFree;
      this.rebinds = rebinds;
    }
  }

  private RetryRule() {}

  /**
   * Whether a request that has made {@code attempts} attempts, the last failing as {@code failure}, is
   * sent again. {@code replayable}: it has no body or one held whole. Withdraws a retry from {@code
   * budget} when the answer depends on it.
   */
  static boolean allows(Failure failure, int attempts, boolean replayable, String method, RetryBudget budget) {
    if (attempts >= MAX_ATTEMPTS) {
      return false;
    }
    if (failure.needsHeldBody && !replayable) {
      return false;
    }
    if (failure.needsIdempotent && !ResponseClassifier.isIdempotent(method)) {
      return false;
    }
    return budget.tryWithdraw() || (failure.firstRetryFree && attempts < 2);
  }
}
