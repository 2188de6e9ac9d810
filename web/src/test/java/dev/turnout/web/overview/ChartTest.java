package dev.turnout.web.overview;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.metrics.TrafficView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  @Test
  void aCommitInTheWindowIsAMarkerAtItsTimeWithItsVersion() {
    Chart chart = Chart.draw(NOW, List.of(), List.of(new Chart.Commit(NOW.minus(Duration.ofMinutes(5)), 7)));

    assertThat(chart.markers()).containsExactly(new Chart.Marker(240, "v7", 0));
  }

  @Test
  void commitsOlderThanTenMinutesAreLeftOut() {
    Chart chart = Chart.draw(NOW, List.of(), List.of(new Chart.Commit(NOW.minus(Duration.ofMinutes(11)), 2)));

    assertThat(chart.markers()).isEmpty();
  }

  @Test
  void commitsCloseTogetherStackTheirLabels() {
    Chart chart = Chart.draw(NOW, List.of(), List.of(
        new Chart.Commit(NOW.minusSeconds(3), 3), new Chart.Commit(NOW.minusSeconds(6), 2)));

    assertThat(chart.markers()).extracting(Chart.Marker::label, Chart.Marker::row)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("v2", 0), org.assertj.core.groups.Tuple.tuple("v3", 1));
  }

  @Test
  void theBusiestPointTouchesTheTopAndIdleTheBaseline() {
    List<TrafficView.Sample> samples = List.of(
        new TrafficView.Sample(NOW.minusSeconds(600), 0, 1, 1, 1),
        new TrafficView.Sample(NOW, 50, 1, 1, 1));

    Chart chart = Chart.draw(NOW, List.of(new Chart.Series("/#/a", "#000", samples)), List.of());

    assertThat(chart.lines().get(0).points()).isEqualTo("0.0,92.0 480.0,8.0");
    assertThat(chart.maxLabel()).isEqualTo("50 rps");
  }
}
