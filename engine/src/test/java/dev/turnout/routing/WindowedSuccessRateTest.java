package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.FailureAccrualConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** io.l5d.successRateWindowed on one endpoint, with a moved clock. */
class WindowedSuccessRateTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final FailureAccrual accrual =
      new FailureAccrual(
          new FailureAccrualConfig(
              "io.l5d.successRateWindowed", 5, 0.9, 20, Duration.ofSeconds(5), Duration.ofSeconds(60),
              Duration.ofSeconds(10)),
          now::get);

  private void record(boolean success) {
    now.addAndGet(Duration.ofMillis(500).toNanos());
    accrual.record(success);
  }

  @Test
  void fewerThanFiveRequestsInTheWindowNeverEject() {
    for (int i = 0; i < 4; i++) {
      record(false);
    }

    assertThat(accrual.state()).isEqualTo(FailureAccrual.State.ALIVE);
  }

  @Test
  void aRateBelowTheThresholdOverTheWindowEjects() {
    for (int i = 0; i < 10; i++) {
      record(true);
    }
    for (int i = 0; i < 3 && accrual.usable(); i++) {
      record(false);
    }

    assertThat(accrual.state()).isEqualTo(FailureAccrual.State.EJECTED);
  }

  @Test
  void failuresOutsideTheWindowHaveFadedWhenSuccessesFollow() {
    record(false);
    record(false);
    now.addAndGet(Duration.ofSeconds(60).toNanos());
    for (int i = 0; i < 10; i++) {
      record(true);
    }

    assertThat(accrual.state()).isEqualTo(FailureAccrual.State.ALIVE);
  }
}
