package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginThrottleTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private JdbcDtabStore store;
  private JdbcUserStore users;

  @BeforeEach
  void open() {
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).clock(clock).passwordIterations(10).open();
    users = store.userStore();
    users.put("ops", Role.OPERATOR, "right-password".toCharArray());
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aClientChangingTheNameOnEveryTryIsThrottledAfterItsBurst() {
    for (int i = 0; i < LoginThrottle.BURST; i++) {
      assertThat(users.login("192.0.2.9", "name-" + i, "guess")).isInstanceOf(LoginOutcome.Refused.class);
    }

    LoginOutcome next = users.login("192.0.2.9", "name-next", "guess");

    assertThat(next).isInstanceOf(LoginOutcome.Throttled.class);
    assertThat(((LoginOutcome.Throttled) next).retryAfter()).isPositive().isLessThanOrEqualTo(LoginThrottle.REFILL);
  }

  @Test
  void aThrottledClientIsNotCheckedEvenWithTheRightPassword() {
    for (int i = 0; i < LoginThrottle.BURST; i++) {
      users.login("192.0.2.9", "ops", "guess-" + i);
    }

    assertThat(users.login("192.0.2.9", "ops", "right-password")).isInstanceOf(LoginOutcome.Throttled.class);
  }

  @Test
  void guessesAtAnOperatorFromOneClientDoNotLockThemOutElsewhere() {
    for (int i = 0; i < LoginThrottle.BURST * 5; i++) {
      users.login("192.0.2.9", "ops", "guess-" + i);
    }

    assertThat(users.login("198.51.100.4", "ops", "right-password"))
        .isInstanceOfSatisfying(LoginOutcome.Accepted.class, ok -> assertThat(ok.user()).isEqualTo(new User("ops", Role.OPERATOR)));
  }

  @Test
  void theAllowanceComesBackOneAttemptPerRefill() {
    for (int i = 0; i <= LoginThrottle.BURST; i++) {
      users.login("192.0.2.9", "ops", "guess-" + i);
    }

    clock.advance(LoginThrottle.REFILL);

    assertThat(users.login("192.0.2.9", "ops", "right-password")).isInstanceOf(LoginOutcome.Accepted.class);
    assertThat(users.login("192.0.2.9", "ops", "one-more-guess")).isInstanceOf(LoginOutcome.Refused.class);
    assertThat(users.login("192.0.2.9", "ops", "and-another")).isInstanceOf(LoginOutcome.Throttled.class);
  }

  @Test
  void successesDoNotUseTheAllowance() {
    for (int i = 0; i < LoginThrottle.BURST * 3; i++) {
      users.put("ops", Role.OPERATOR, "right-password".toCharArray()); // forgets the remembered check

      assertThat(users.login("192.0.2.9", "ops", "right-password")).isInstanceOf(LoginOutcome.Accepted.class);
    }
  }

  @Test
  void aRememberedSuccessNeedsNoAllowance() {
    assertThat(users.login("192.0.2.9", "ops", "right-password")).isInstanceOf(LoginOutcome.Accepted.class);
    for (int i = 0; i < LoginThrottle.BURST; i++) {
      users.login("192.0.2.9", "ops", "guess-" + i);
    }

    LoginOutcome again = users.login("192.0.2.9", "ops", "right-password");
    clock.advance(JdbcUserStore.REMEMBER_SUCCESS.plusSeconds(1));
    for (int i = 0; i < LoginThrottle.BURST; i++) {
      users.login("192.0.2.9", "ops", "later-guess-" + i);
    }
    LoginOutcome later = users.login("192.0.2.9", "ops", "right-password");

    assertThat(again).isInstanceOf(LoginOutcome.Accepted.class);
    assertThat(later).isInstanceOf(LoginOutcome.Throttled.class);
  }

  @Test
  void retryAfterIsWholeSecondsAndAtLeastOne() {
    assertThat(new LoginOutcome.Throttled(Duration.ofMillis(1)).retryAfterSeconds()).isEqualTo(1);
    assertThat(new LoginOutcome.Throttled(Duration.ofMillis(2001)).retryAfterSeconds()).isEqualTo(3);
  }
}
