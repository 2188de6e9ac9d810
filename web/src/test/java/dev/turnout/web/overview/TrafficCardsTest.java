package dev.turnout.web.overview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.turnout.metrics.TrafficView;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficCardsTest {

  private static TrafficView.Stats rate(double rps) {
    return new TrafficView.Stats(rps, 1, 1, 1, 0, 0, 0);
  }

  @Test
  void sharesFollowTheRecentRequestRateNotTheLifetimeCount() {
    TrafficView.ServiceTraffic s = new TrafficView.ServiceTraffic("/svc/users", rate(10), List.of(
        new TrafficView.ClientTraffic("/#/a", rate(10), 0.7, List.of()),
        new TrafficView.ClientTraffic("/#/b", rate(0), 0.3, List.of())));

    assertThat(TrafficCards.recentShares(s)).containsExactly(1.0, 0.0);
  }

  @Test
  void withNoRecentTrafficTheViewsSharesStand() {
    TrafficView.ServiceTraffic s = new TrafficView.ServiceTraffic("/svc/users", rate(0), List.of(
        new TrafficView.ClientTraffic("/#/a", rate(0), 0.7, List.of()),
        new TrafficView.ClientTraffic("/#/b", rate(0), 0.3, List.of())));

    assertThat(TrafficCards.recentShares(s)).satisfiesExactly(
        a -> assertThat(a).isCloseTo(0.7, within(1e-9)), b -> assertThat(b).isCloseTo(0.3, within(1e-9)));
  }

  @Test
  void aSuccessRateBelowNinetyFivePercentIsLow() {
    assertThat(TrafficCards.figures(new TrafficView.Stats(5, 0.949, 1, 2, 100, 6, 0)).low()).isTrue();
    assertThat(TrafficCards.figures(new TrafficView.Stats(5, 0.95, 1, 2, 100, 5, 0)).low()).isFalse();
    assertThat(TrafficCards.figures(new TrafficView.Stats(0, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0)).success())
        .isEqualTo("–");
  }

  @Test
  void grpcFailuresAreNamedByTheirCodeMostFirst() {
    var failures = TrafficCards.failures(java.util.Map.of("grpc-4", 1L, "grpc-14", 3L, "grpc-2", 1L, "no-grpc-status", 2L));

    assertThat(failures).extracting(OverviewPage.Failure::name)
        .containsExactly("UNAVAILABLE", "no grpc-status", "DEADLINE_EXCEEDED", "UNKNOWN");
    assertThat(failures).extracting(OverviewPage.Failure::count).containsExactly(3L, 2L, 1L, 1L);
  }

  @Test
  void httpStatusesAndOtherFailuresKeepTheirOwnNames() {
    assertThat(TrafficCards.failureName("502")).isEqualTo("HTTP 502");
    assertThat(TrafficCards.failureName("connect")).isEqualTo("connect");
    assertThat(TrafficCards.failureName("grpc-99")).isEqualTo("grpc-status 99");
    assertThat(TrafficCards.failures(java.util.Map.of("grpc-14", 0L))).isEmpty();
  }

  @Test
  void theFiguresCarryTheFailuresOfTheirStats() {
    var stats = new TrafficView.Stats(5, 0.5, 1, 2, 4, 2, 0, java.util.Map.of("grpc-14", 2L));

    assertThat(TrafficCards.figures(stats).failures())
        .containsExactly(new OverviewPage.Failure("grpc-14", "UNAVAILABLE", 2));
  }
}
