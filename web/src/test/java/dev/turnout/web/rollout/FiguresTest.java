package dev.turnout.web.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.metrics.TrafficView;
import dev.turnout.metrics.TrafficView.ClientTraffic;
import dev.turnout.metrics.TrafficView.RouterTraffic;
import dev.turnout.metrics.TrafficView.ServiceTraffic;
import dev.turnout.metrics.TrafficView.Stats;
import java.util.List;
import org.junit.jupiter.api.Test;

class FiguresTest {
  private static Stats stats(long requests, long failures, double p99) {
    return new Stats(requests / 10.0, 1 - (double) failures / requests, p99 / 2, p99, requests, failures, 0);
  }

  private static ClientTraffic client(String name, Stats s) {
    return new ClientTraffic(name, s, 0.5, List.of());
  }

  private static final TrafficView VIEW = new TrafficView() {
    @Override
    public List<RouterTraffic> routers() {
      return List.of(
          new RouterTraffic("http", "default", 3, List.of(
              new ServiceTraffic("/svc/users", stats(110, 10, 90), List.of(
                  client("/#/io.l5d.fs/users-v2", stats(100, 10, 90)),
                  client("/#/io.l5d.fs/users", stats(10, 0, 20)))),
              new ServiceTraffic("/svc/users/eu", stats(50, 0, 300), List.of(
                  client("/#/io.l5d.fs/users-v2", stats(50, 0, 300)))),
              new ServiceTraffic("/svc/usersettings", stats(70, 70, 900), List.of(
                  client("/#/io.l5d.fs/users-v2", stats(70, 70, 900)))))),
          new RouterTraffic("other", "staging", 1, List.of(
              new ServiceTraffic("/svc/users", stats(40, 40, 900), List.of(
                  client("/#/io.l5d.fs/users-v2", stats(40, 40, 900)))))));
    }

    @Override
    public List<Sample> history(String router, String service, String client, int minutes) {
      return List.of();
    }
  };

  @Test
  void canaryFiguresSumItsDestinationUnderTheServiceInTheNamespaceOnly() {
    Stats s = Figures.of(VIEW).of("default", "/svc/users", "/#/io.l5d.fs/users-v2").orElseThrow();

    assertThat(s.requests()).isEqualTo(150);
    assertThat(s.failures()).isEqualTo(10);
    assertThat(s.p99Millis()).isEqualTo(300);
  }

  @Test
  void destinationNoRouterSentToHasNoFigures() {
    assertThat(Figures.of(VIEW).of("default", "/svc/users", "/#/io.l5d.fs/users-v3")).isEmpty();
    assertThat(Figures.of(VIEW).of("nowhere", "/svc/users", "/#/io.l5d.fs/users-v2")).isEmpty();
  }
}
