package dev.turnout.naming.dnssrv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.naming.Address;
import dev.turnout.naming.dnssrv.SrvSelection.Srv;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 2782's priorities and weights as endpoint weights. */
class SrvSelectionTest {
  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static Address at(String host, int port, double weight) {
    return new Address(host, port, weight, Map.of());
  }

  @Test
  void lowestPriorityWinsAndHigherOnesAreLeftOut() {
    List<Address> out =
        SrvSelection.select(
            List.of(new Srv(20, 1, 80, "c."), new Srv(10, 1, 80, "a.")),
            Map.of("a.", List.of(ip("10.0.0.1")), "c.", List.of(ip("10.0.0.3"))));

    assertThat(out).containsExactly(at("10.0.0.1", 80, 1));
  }

  @Test
  void groupWithNoReachableTargetGivesWayToTheNext() {
    List<Address> out =
        SrvSelection.select(
            List.of(new Srv(10, 1, 80, "gone."), new Srv(20, 1, 80, "c.")),
            Map.of("gone.", List.of(), "c.", List.of(ip("10.0.0.3"))));

    assertThat(out).containsExactly(at("10.0.0.3", 80, 1));
  }

  @Test
  void allZeroWeightsSpreadEvenly() {
    List<Address> out =
        SrvSelection.select(
            List.of(new Srv(0, 0, 80, "a."), new Srv(0, 0, 81, "b.")),
            Map.of("a.", List.of(ip("10.0.0.1")), "b.", List.of(ip("10.0.0.2"))));

    assertThat(out).containsExactly(at("10.0.0.1", 80, 1), at("10.0.0.2", 81, 1));
  }

  @Test
  void zeroWeightBesidePositiveOnesGetsAVerySmallShare() {
    List<Address> out =
        SrvSelection.select(
            List.of(new Srv(0, 0, 80, "a."), new Srv(0, 50, 81, "b."), new Srv(0, 200, 82, "c.")),
            Map.of("a.", List.of(ip("10.0.0.1")), "b.", List.of(ip("10.0.0.2")), "c.", List.of(ip("10.0.0.3"))));

    assertThat(out).containsExactly(at("10.0.0.1", 80, 0.5), at("10.0.0.2", 81, 50), at("10.0.0.3", 82, 200));
  }

  @Test
  void recordsNamingTheSameEndpointAddUp() {
    List<Address> out =
        SrvSelection.select(
            List.of(new Srv(0, 2, 80, "a."), new Srv(0, 3, 80, "alias.")),
            Map.of("a.", List.of(ip("10.0.0.1")), "alias.", List.of(ip("10.0.0.1"))));

    assertThat(out).containsExactly(at("10.0.0.1", 80, 5));
  }

  @Test
  void orderOfRecordsDoesNotChangeTheResult() {
    Map<String, List<InetAddress>> ips = Map.of("a.", List.of(ip("10.0.0.1")), "b.", List.of(ip("10.0.0.2")));

    assertThat(SrvSelection.select(List.of(new Srv(0, 1, 80, "b."), new Srv(0, 1, 80, "a.")), ips))
        .isEqualTo(SrvSelection.select(List.of(new Srv(0, 1, 80, "a."), new Srv(0, 1, 80, "b.")), ips));
  }

  @Test
  void noReachableTargetIsNoEndpoint() {
    assertThat(SrvSelection.select(List.of(new Srv(0, 1, 80, "a.")), Map.of())).isEmpty();
  }
}
