package dev.turnout.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Slows password guessing per user name: after {@link #FREE_FAILURES} failures in a row, a name is
 * refused without a password check for a backoff that doubles with each further failure, up to {@link
 * #MAX_BACKOFF}; a success clears it. Refusing before hashing also keeps a guesser from spending the
 * CPU on PBKDF2. Names that do not exist are throttled alike, so probing them reveals nothing. State is
 * bounded (the least recently used names are forgotten) and lives in memory only.
 */
final class LoginThrottle {
  static final int FREE_FAILURES = 5;
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  private record Failures(int count, Instant blockedUntil) {}

  private final Clock clock;
  private final Cache<String, Failures> failures =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterAccess(Duration.ofMinutes(15)).build();

  LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  /** True while {@code name} must wait before its password is checked again. */
  boolean blocked(String name) {
    Failures f = failures.getIfPresent(name);
    return f != null && clock.instant().isBefore(f.blockedUntil());
  }

  void failed(String name) {
    failures
        .asMap()
        .compute(
            name,
            (k, f) -> {
              int count = f == null ? 1 : f.count() + 1;
              Instant until = clock.instant();
              if (count >= FREE_FAILURES) {
                int doublings = Math.min(count - FREE_FAILURES, 20);
                Duration backoff = Duration.ofSeconds(1L << doublings);
                until = until.plus(backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff);
              }
              return new Failures(count, until);
            });
  }

  void succeeded(String name) {
    failures.invalidate(name);
  }
}
