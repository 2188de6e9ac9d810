package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.FailureAccrualConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailureAccrualTest {
  private final AtomicLong now = new AtomicLong();

  private FailureAccrual accrual(String kind) {
    return new FailureAccrual(
        new FailureAccrualConfig(kind, 3, 0.8, 10, Duration.ofSeconds(5), Duration.ofSeconds(60)), now::get);
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void consecutiveFailuresEjectAfterTheConfiguredCount() {
    FailureAccrual a = accrual("io.l5d.consecutiveFailures");

    a.record(false);
    a.record(false);
    boolean before = a.usable();
    a.record(false);

    assertThat(before).isTrue();
    assertThat(a.state()).isEqualTo(FailureAccrual.State.EJECTED);
  }

  @Test
  void aSuccessResetsTheCount() {
    FailureAccrual a = accrual("io.l5d.consecutiveFailures");

    a.record(false);
    a.record(false);
    a.record(true);
    a.record(false);

    assertThat(a.usable()).isTrue();
  }

  @Test
  void ejectedEndpointIsProbedAfterBackoffAndRevivedBySuccess() {
    FailureAccrual a = accrual("io.l5d.consecutiveFailures");
    a.connectFailed();

    advance(Duration.ofSeconds(5));
    FailureAccrual.State probing = a.state();
    a.record(true);

    assertThat(probing).isEqualTo(FailureAccrual.State.PROBING);
    assertThat(a.state()).isEqualTo(FailureAccrual.State.ALIVE);
  }

  @Test
  void failedProbeEjectsAgainForALongerBackoff() {
    FailureAccrual a = accrual("io.l5d.consecutiveFailures");
    a.connectFailed();
    advance(Duration.ofSeconds(5));

    a.record(false);
    advance(Duration.ofSeconds(9));
    FailureAccrual.State stillOut = a.state();
    advance(Duration.ofSeconds(2));

    assertThat(stillOut).isEqualTo(FailureAccrual.State.EJECTED);
    assertThat(a.state()).isEqualTo(FailureAccrual.State.PROBING);
  }

  @Test
  void successRateBelowThresholdEjects() {
    FailureAccrual a = accrual("io.l5d.successRate");

    for (int i = 0; i < 10; i++) {
      a.record(i % 2 == 0);
    }

    assertThat(a.usable()).isFalse();
  }

  @Test
  void successRateAboveThresholdStays() {
    FailureAccrual a = accrual("io.l5d.successRate");

    for (int i = 0; i < 50; i++) {
      a.record(i % 10 != 0);
    }

    assertThat(a.usable()).isTrue();
  }

  @Test
  void noneNeverEjectsOnResponses() {
    FailureAccrual a = accrual("none");

    for (int i = 0; i < 100; i++) {
      a.record(false);
    }

    assertThat(a.usable()).isTrue();
  }
}
