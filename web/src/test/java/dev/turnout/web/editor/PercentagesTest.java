package dev.turnout.web.editor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PercentagesTest {

  @Test
  void equalWeightsRoundToAHundredByLargestRemainder() {
    assertThat(Percentages.of(List.of(1.0, 1.0, 1.0))).containsExactly(34, 33, 33);
  }

  @Test
  void zeroWeightsShareEvenly() {
    assertThat(Percentages.of(List.of(0.0, 0.0))).containsExactly(50, 50);
  }

  @Test
  void movingOneBranchOfTwoGivesTheOtherTheRest() {
    assertThat(Percentages.rebalance(List.of(100, 0), 1, 30)).containsExactly(70, 30);
  }

  @Test
  void movingOneBranchSharesTheRestInProportion() {
    assertThat(Percentages.rebalance(List.of(50, 30, 20), 0, 80)).containsExactly(80, 12, 8);
  }

  @Test
  void othersAtZeroShareTheRestEvenly() {
    assertThat(Percentages.rebalance(List.of(100, 0, 0), 0, 40)).containsExactly(40, 30, 30);
  }

  @Test
  void aValueOutOfRangeIsClamped() {
    assertThat(Percentages.rebalance(List.of(60, 40), 0, 140)).containsExactly(100, 0);
  }
}
