package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.FailureAccrualConfig;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Var;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClientTest {
  private final AtomicLong now = new AtomicLong();
  private final Var<Addr> addr =
      new Var<>(new Addr.Bound(List.of(new Address("10.0.0.1", 80, 1, Map.of()), new Address("10.0.0.2", 80, 3, Map.of()))));

  private Client client(String balancer) {
    ClientConfig config =
        new ClientConfig(
            new FailureAccrualConfig("io.l5d.consecutiveFailures", 5, 0.8, 10, Duration.ofSeconds(5), Duration.ofSeconds(60)),
            balancer,
            Duration.ofSeconds(1));
    return new Client(new BoundName(Path.read("/#/io.l5d.fs/x"), Path.EMPTY, addr), config, now::get);
  }

  private Map<String, Integer> spread(Client c, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(c.pick(List.of()).orElseThrow().host(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobinHonoursWeights() {
    Map<String, Integer> counts = spread(client("roundRobin"), 400);

    assertThat(counts.get("10.0.0.2")).isEqualTo(300);
  }

  @Test
  void leastLoadedPicksInProportionToWeightWhenIdle() {
    Map<String, Integer> counts = spread(client("p2c"), 4000);

    assertThat(counts.get("10.0.0.2") / 4000.0).isBetween(0.6, 0.9);
  }

  @Test
  void ejectedEndpointIsPassedOver() {
    Client c = client("ewma");
    Endpoint first = c.endpoints().get(0);
    first.accrual().connectFailed();

    Map<String, Integer> counts = spread(c, 200);

    assertThat(counts).containsOnlyKeys("10.0.0.2");
  }

  @Test
  void endpointSetFollowsTheAddressAndKeepsStateOfThoseThatStay() {
    Client c = client("ewma");
    Endpoint kept = c.endpoints().get(1);

    addr.set(new Addr.Bound(List.of(new Address("10.0.0.2", 80, 3, Map.of()), new Address("10.0.0.3", 80))));

    assertThat(c.endpoints()).extracting(Endpoint::key).containsExactly("10.0.0.2:80", "10.0.0.3:80");
    assertThat(c.endpoints().get(0)).isSameAs(kept);
  }

  @Test
  void clientWithNoEndpointsIsNotUsable() {
    Client c = client("ewma");

    addr.set(new Addr.Bound(List.of()));

    assertThat(c.usable()).isFalse();
    assertThat(c.pick(List.of())).isEmpty();
  }
}
