package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  @Test
  void constantWaitsTheSameEveryTime() {
    RetryBackoff b = RetryBackoff.constant(Duration.ofMillis(40));

    assertThat(b.nextMillis(0, new SplittableRandom(1))).isEqualTo(40);
    assertThat(b.nextMillis(40, new SplittableRandom(1))).isEqualTo(40);
  }

  @Test
  void jitteredStartsAtMinThenDrawsUpToThreeTimesThePreviousCappedAtMax() {
    RetryBackoff b = new RetryBackoff(RetryBackoff.Kind.JITTERED, Duration.ofMillis(10), Duration.ofMillis(100));
    SplittableRandom random = new SplittableRandom(7);

    long previous = b.nextMillis(0, random);
    assertThat(previous).isEqualTo(10);
    for (int i = 0; i < 50; i++) {
      long next = b.nextMillis(previous, random);
      assertThat(next).isBetween(10L, Math.min(100L, previous * 3));
      previous = next;
    }
  }
}
