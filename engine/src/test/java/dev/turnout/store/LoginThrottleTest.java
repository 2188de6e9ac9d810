package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginThrottleTest {
  @TempDir Path dir;
  private Instant now = Instant.parse("2026-11-27T12:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };
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
  void afterFiveWrongPasswordsEvenTheRightOneWaitsOutTheBackoff() {
    for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
      assertThat(users.authenticate("ops", "guess-" + i)).isEmpty();
    }

    assertThat(users.authenticate("ops", "right-password")).isEmpty();

    now = now.plus(Duration.ofSeconds(2));
    assertThat(users.authenticate("ops", "right-password")).isPresent();
  }

  @Test
  void aSuccessClearsEarlierFailures() {
    for (int i = 0; i < LoginThrottle.FREE_FAILURES - 1; i++) {
      users.authenticate("ops", "guess-" + i);
    }
    assertThat(users.authenticate("ops", "right-password")).isPresent();

    users.authenticate("ops", "one-more-guess");

    assertThat(users.authenticate("ops", "right-password")).isPresent();
  }

  @Test
  void backoffDoublesWithEachFurtherFailureUpToFiveMinutes() {
    for (int i = 0; i < LoginThrottle.FREE_FAILURES + 20; i++) {
      users.authenticate("ops", "guess-" + i);
      now = now.plus(Duration.ofMinutes(10));
    }
    users.authenticate("ops", "last-guess");

    now = now.plus(Duration.ofMinutes(4));
    assertThat(users.authenticate("ops", "right-password")).isEmpty();
    now = now.plus(Duration.ofMinutes(1)).plusSeconds(1);
    assertThat(users.authenticate("ops", "right-password")).isPresent();
  }

  @Test
  void unknownNamesAreThrottledAlike() {
    for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
      users.authenticate("nobody", "guess-" + i);
    }

    assertThat(users.authenticate("ops", "right-password")).isPresent();
    assertThat(users.authenticate("nobody", "anything")).isEmpty();
  }
}
