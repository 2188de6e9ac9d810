package dev.turnout.store;

import java.time.Duration;

/**
 * What a sign-in attempt came to: the user, a refusal (wrong name or password, told apart from
 * neither), or a throttled attempt whose password was not checked at all and may be tried again after
 * {@code retryAfter}.
 */
public sealed interface LoginOutcome {

  /**
   * The name exists and the password is its own. {@code credential} is the stored hash the password
   * matched (null where unknown): a session started on it is refused if the password or role has
   * changed since, as a sign-in that was mid-check when they changed must not outlive the change.
   */
  record Accepted(User user, byte[] credential) implements LoginOutcome {
    public Accepted(User user) {
      this(user, null);
    }
  }

  /** A wrong name or password. */
  record Refused() implements LoginOutcome {}

  /** Too many attempts from this client, or too many checks at once: try again later. */
  record Throttled(Duration retryAfter) implements LoginOutcome {
    public Throttled {
      if (retryAfter == null || retryAfter.isNegative()) {
        throw new IllegalArgumentException("retryAfter must be zero or more, not " + retryAfter);
      }
    }

    /** Whole seconds, at least 1, as a {@code Retry-After} header wants them. */
    public long retryAfterSeconds() {
      long s = (retryAfter.toMillis() + 999) / 1000;
      return Math.max(1, s);
    }
  }
}
