package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.proxy.RetryRule.Failure;
import dev.turnout.routing.RetryBudget;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one rule that decides whether a failed attempt is sent again, row by row of its table. */
class RetryRuleTest {
  private static RetryBudget plenty() {
    return new RetryBudget(0, 100, Duration.ofSeconds(10), () -> 0L);
  }

  private static RetryBudget spent() {
    return new RetryBudget(0, 0, Duration.ofSeconds(10), () -> 0L);
  }

  @ParameterizedTest(name = "{0} after {1} attempts, held body {2}, {3}: {4}")
  @CsvSource({
    // failure,         attempts, replayable, method, retried
    "NOT_SENT,          1,        false,      POST,   true",
    "NOT_SENT,          3,        true,       GET,    true",
    "NOT_SENT,          4,        true,       GET,    false",
    "REFUSED,           1,        true,       POST,   true",
    "REFUSED,           3,        true,       POST,   true",
    "REFUSED,           1,        false,      POST,   false",
    "REFUSED,           4,        true,       GET,    false",
    "BROKEN,            1,        true,       GET,    true",
    "BROKEN,            1,        true,       PUT,    true",
    "BROKEN,            1,        true,       POST,   false",
    "BROKEN,            1,        false,      GET,    false",
    "BROKEN,            4,        true,       GET,    false",
    "RETRYABLE_ANSWER,  1,        true,       POST,   true",
    "RETRYABLE_ANSWER,  1,        false,      GET,    false",
    "RETRYABLE_ANSWER,  4,        true,       GET,    false",
  })
  void aFailureIsRetriedAsItsRowSaysWhileTheBudgetLasts(
      Failure failure, int attempts, boolean replayable, String method, boolean retried) {
    boolean allowed = RetryRule.allows(failure, attempts, replayable, method, plenty());

    assertThat(allowed).isEqualTo(retried);
  }

  @Test
  void theFirstRetryOfARequestThatWasNeverSentIsFreeOfTheBudget() {
    RetryBudget budget = spent();

    assertThat(RetryRule.allows(Failure.NOT_SENT, 1, true, "GET", budget)).isTrue();
    assertThat(RetryRule.allows(Failure.NOT_SENT, 2, true, "GET", budget)).isFalse();
  }

  @Test
  void aRequestThatWentOutIsNotRetriedOnceTheBudgetIsSpent() {
    RetryBudget budget = spent();

    assertThat(RetryRule.allows(Failure.BROKEN, 1, true, "GET", budget)).isFalse();
    assertThat(RetryRule.allows(Failure.RETRYABLE_ANSWER, 1, true, "GET", budget)).isFalse();
  }

  @Test
  void aRetryTheRestOfTheRuleRefusesTakesNothingFromTheBudget() {
    RetryBudget one = new RetryBudget(0, 1, Duration.ofSeconds(1), () -> 0L);

    assertThat(RetryRule.allows(Failure.BROKEN, 1, true, "POST", one)).isFalse();
    assertThat(RetryRule.allows(Failure.RETRYABLE_ANSWER, 1, false, "GET", one)).isFalse();
    assertThat(RetryRule.allows(Failure.BROKEN, 4, true, "GET", one)).isFalse();

    assertThat(RetryRule.allows(Failure.BROKEN, 1, true, "GET", one)).isTrue();
    assertThat(RetryRule.allows(Failure.BROKEN, 1, true, "GET", one)).isFalse();
  }

  @Test
  void onlyARetryableAnswerIsSentAgainWithoutRebinding() {
    assertThat(Failure.NOT_SENT.rebinds).isTrue();
    assertThat(Failure.BROKEN.rebinds).isTrue();
    assertThat(Failure.RETRYABLE_ANSWER.rebinds).isFalse();
  }
}
