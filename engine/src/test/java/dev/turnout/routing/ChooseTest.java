package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.NameTree;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChooseTest {

  @Test
  void nestedUnionsChooseAgainInProportion() {
    NameTree<String> tree =
        new NameTree.Union<>(List.of(
            new NameTree.Weighted<>(1, NameTree.leaf("x")),
            new NameTree.Weighted<>(3, new NameTree.Union<>(List.of(
                new NameTree.Weighted<>(0.5, NameTree.leaf("y")),
                new NameTree.Weighted<>(0.5, NameTree.leaf("z")))))));

    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 8000; i++) {
      counts.merge(Router.choose(tree).orElseThrow(), 1, Integer::sum);
    }

    assertThat(counts.get("x") / 8000.0).isBetween(0.22, 0.28);
    assertThat(counts.get("y") / 8000.0).isBetween(0.345, 0.405);
  }

  @Test
  void zeroWeightBranchIsNeverChosen() {
    NameTree<String> tree =
        new NameTree.Union<>(List.of(new NameTree.Weighted<>(0, NameTree.leaf("a")), new NameTree.Weighted<>(1, NameTree.leaf("b"))));

    for (int i = 0; i < 1000; i++) {
      assertThat(Router.choose(tree)).contains("b");
    }
  }

  @Test
  void emptyNegAndFailHaveNoDestination() {
    assertThat(Router.choose(NameTree.<String>empty())).isEmpty();
    assertThat(Router.choose(NameTree.<String>neg())).isEmpty();
    assertThat(Router.choose(NameTree.<String>fail())).isEmpty();
  }
}
