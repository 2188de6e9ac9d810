package dev.turnout.web.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GuardrailChartTest {
  private static final double NONE = Double.NaN;

  @Test
  void aSuccessRateBelowTheThresholdIsABadBarUnderTheThresholdLine() {
    List<GuardrailChart.Point> points = List.of(new GuardrailChart.Point("5%", 1.0, NONE),
        new GuardrailChart.Point("20%", 0.912, NONE), new GuardrailChart.Point("100%", NONE, NONE));

    GuardrailChart c = GuardrailChart.successRate(points, 0.99);

    assertThat(c.bars()).extracting(GuardrailChart.Bar::bad).containsExactly(false, true, false);
    assertThat(c.bars()).extracting(GuardrailChart.Bar::value).containsExactly("100%", "91.2%", "");
    assertThat(c.bars().get(1).y()).isGreaterThan(c.thresholdY());
    assertThat(c.bars().get(0).y()).isLessThan(c.thresholdY());
    assertThat(c.thresholdLabel()).isEqualTo("min 99%");
    assertThat(c.bottomLabel()).isEqualTo("85%");
  }

  @Test
  void aZeroSuccessRateStillShowsAsABar() {
    GuardrailChart c = GuardrailChart.successRate(List.of(new GuardrailChart.Point("50%", 0.0, NONE)), 0.99);

    assertThat(c.bars().get(0).barHeight()).isGreaterThanOrEqualTo(2);
    assertThat(c.bars().get(0).bad()).isTrue();
    assertThat(c.bottomLabel()).isEqualTo("0%");
  }

  @Test
  void p99AboveItsMaximumIsBadAndTheScaleReachesAboveTheHighestFigure() {
    List<GuardrailChart.Point> points = List.of(new GuardrailChart.Point("50%", 812, 100),
        new GuardrailChart.Point("100%", 120, NONE));

    GuardrailChart c = GuardrailChart.p99(points, 500);

    assertThat(c.bars()).extracting(GuardrailChart.Bar::bad).containsExactly(true, false);
    assertThat(c.bars().get(0).y()).isGreaterThanOrEqualTo(GuardrailChart.TOP).isLessThan(c.thresholdY());
    assertThat(c.bars().get(0).hasStable()).isTrue();
    assertThat(c.bars().get(0).stableY()).isGreaterThan(c.thresholdY());
    assertThat(c.bars().get(1).hasStable()).isFalse();
    assertThat(c.thresholdLabel()).isEqualTo("max 500 ms");
  }
}
