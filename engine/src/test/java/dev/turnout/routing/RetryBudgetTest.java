package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private final AtomicLong now = new AtomicLong(100_000_000_000L);

  private int withdrawAll(RetryBudget b) {
    int n = 0;
    while (b.tryWithdraw()) {
      n++;
    }
    return n;
  }

  @Test
  void percentOfRequestsMayBeRetried() {
    RetryBudget b = new RetryBudget(0.2, 0, Duration.ofSeconds(10), now::get);
    for (int i = 0; i < 100; i++) {
      b.deposit();
    }

    assertThat(withdrawAll(b)).isEqualTo(20);
  }

  @Test
  void minimumPerSecondIsAvailableWithoutTraffic() {
    RetryBudget b = new RetryBudget(0.2, 10, Duration.ofSeconds(10), now::get);

    assertThat(withdrawAll(b)).isEqualTo(100);
  }

  @Test
  void depositsExpireAfterTheTtl() {
    RetryBudget b = new RetryBudget(0.5, 0, Duration.ofSeconds(10), now::get);
    for (int i = 0; i < 100; i++) {
      b.deposit();
    }

    now.addAndGet(Duration.ofSeconds(12).toNanos());

    assertThat(withdrawAll(b)).isZero();
  }
}
