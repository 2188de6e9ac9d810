package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficSharesTest {

  private static TrafficShares shares(String dtab, String path, String... existing) {
    Interpreter interpreter = VectorNamers.interpreter(Set.of(existing));

    return TrafficShares.of(interpreter.delegate(Dtab.read(dtab), Path.read(path)));
  }

  private static Path id(String name) {
    return Path.read("/#/disco/" + name);
  }

  @Test
  void aUnionSplitsTrafficByWeight() {
    TrafficShares s = shares("/svc => 0.7*/#/disco/a & 0.3*/#/disco/b", "/svc", "a", "b");

    assertThat(s.destinations().get(id("a"))).isCloseTo(0.7, within(1e-9));
    assertThat(s.destinations().get(id("b"))).isCloseTo(0.3, within(1e-9));
    assertThat(s.unrouted()).isZero();
  }

  @Test
  void anAltSendsEverythingToItsFirstAlternativeThatIsNotNeg() {
    TrafficShares s = shares("/svc => ~ | /#/disco/b | /#/disco/c", "/svc", "b", "c");

    assertThat(s.destinations()).containsOnlyKeys(id("b"));
    assertThat(s.destinations().get(id("b"))).isEqualTo(1.0);
  }

  @Test
  void aNameNothingBindsRoutesNothing() {
    TrafficShares s = shares("/x => /#/disco/a", "/svc/users", "a");

    assertThat(s.destinations()).isEmpty();
    assertThat(s.unrouted()).isEqualTo(1.0);
  }

  @Test
  void aCanaryAtWeightZeroIsListedWithShareZero() {
    TrafficShares s = shares("/svc => /#/disco/a & 0.00*/#/disco/b", "/svc", "a", "b");

    assertThat(s.destinations()).containsExactly(
        org.assertj.core.api.Assertions.entry(id("a"), 1.0), org.assertj.core.api.Assertions.entry(id("b"), 0.0));
  }

  @Test
  void aUnionBranchThatBindsToNothingLeavesItsWeightToTheOthers() {
    TrafficShares s = shares("/svc => 0.5*/#/disco/a & 0.5*/#/disco/gone", "/svc", "a");

    assertThat(s.destinations()).containsOnlyKeys(id("a"));
    assertThat(s.destinations().get(id("a"))).isEqualTo(1.0);
    assertThat(s.unrouted()).isZero();
  }

  @Test
  void anEmptyUnionBranchTakesItsShareAndRoutesItNowhere() {
    TrafficShares s = shares("/svc => 0.75*/#/disco/a & 0.25*$", "/svc", "a");

    assertThat(s.destinations().get(id("a"))).isCloseTo(0.75, within(1e-9));
    assertThat(s.unrouted()).isCloseTo(0.25, within(1e-9));
  }

  @Test
  void unionBranchesWhoseWeightsAreAllZeroShareEvenly() {
    TrafficShares s = shares("/svc => 0*/#/disco/a & 0*/#/disco/b", "/svc", "a", "b");

    assertThat(s.destinations().get(id("a"))).isEqualTo(0.5);
    assertThat(s.destinations().get(id("b"))).isEqualTo(0.5);
  }

  @Test
  void anEmptyAlternativeStopsTheAltSoItsTrafficGoesNowhereAsTheRouterSends502() {
    TrafficShares s = shares("/svc => $ | /#/disco/b", "/svc", "b");

    assertThat(s.destinations()).isEmpty();
    assertThat(s.unrouted()).isEqualTo(1.0);
  }
}
