package dev.turnout.web.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.turnout.metrics.LatencyHistograms;
import dev.turnout.metrics.TrafficView.ClientTraffic;
import dev.turnout.metrics.TrafficView.EndpointTraffic;
import dev.turnout.metrics.TrafficView.RouterTraffic;
import dev.turnout.metrics.TrafficView.ServiceTraffic;
import dev.turnout.metrics.TrafficView.Stats;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class FiguresTest {
  private static final String V2 = "/#/io.l5d.fs/users-v2";

  /**
   * Figures whose last 10 s held {@code recent} requests ({@code failed} of them failed), all taking
   * {@code millis}; the counts since the start are far larger, as a long-running proxy's are.
   */
  private static Stats stats(long recent, long failed, double millis) {
    Histogram h = LatencyHistograms.empty();
    h.recordValueWithCount(Math.round(millis * 1000), Math.max(1, recent));
    return new Stats(recent / 10.0, 1 - (double) failed / recent, millis, millis, 1_000_000 + recent, 9_000 + failed,
        0, LatencyHistograms.encode(h), Map.of());
  }

  private static ClientTraffic client(String name, Stats s, EndpointTraffic... endpoints) {
    return new ClientTraffic(name, s, 0.5, List.of(endpoints));
  }

  private static EndpointTraffic endpoint(String hostPort, boolean ejected) {
    return new EndpointTraffic(hostPort, stats(1, 0, 1), ejected);
  }

  private static RouterTraffic router(String namespace, ServiceTraffic... services) {
    return new RouterTraffic("http", namespace, 3, List.of(services));
  }

  private static final List<RouterTraffic> ONE = List.of(
      router("default",
          new ServiceTraffic("/svc/users", stats(110, 10, 90), List.of(
              client(V2, stats(100, 10, 90)),
              client("/#/io.l5d.fs/users", stats(10, 0, 20)))),
          new ServiceTraffic("/svc/users/eu", stats(50, 0, 300), List.of(
              client(V2, stats(50, 0, 300)))),
          new ServiceTraffic("/svc/usersettings", stats(70, 70, 900), List.of(
              client(V2, stats(70, 70, 900))))),
      router("staging",
          new ServiceTraffic("/svc/users", stats(40, 40, 900), List.of(
              client(V2, stats(40, 40, 900))))));

  @Test
  void canaryFiguresSumItsDestinationsLastTenSecondsUnderTheServiceInTheNamespaceOnly() {
    Figures.Sample s = Figures.of(() -> List.of(ONE)).of("default", "/svc/users", V2).orElseThrow();

    assertThat(s.requests()).isEqualTo(150);
    assertThat(s.failures()).isEqualTo(10);
    assertThat(s.p99Millis()).isCloseTo(300, within(3.0));
  }

  @Test
  void severalBoundIdsCountAsOneDestinationTheirHistogramsMerged() {
    List<RouterTraffic> fleet = List.of(router("default",
        new ServiceTraffic("/svc/users", stats(1010, 0, 10), List.of(
            client("/#/io.l5d.fs/a", stats(1000, 0, 10)),
            client("/#/io.l5d.fs/b", stats(10, 5, 900)),
            client("/#/io.l5d.fs/b/eu", stats(20, 0, 900))))));
    Figures figures = Figures.of(() -> List.of(fleet));

    // /#/io.l5d.fs/b/eu is beneath /#/io.l5d.fs/b, so it counts once
    Figures.Sample s = figures.ofAll("default", "/svc/users",
        List.of("/#/io.l5d.fs/a", "/#/io.l5d.fs/b", "/#/io.l5d.fs/b/eu")).orElseThrow();

    assertThat(s.requests()).isEqualTo(1030);
    assertThat(s.failures()).isEqualTo(5);
    // 30 of 1030 at 900 ms is more than 1%: the p99 is theirs
    assertThat(s.p99Millis()).isCloseTo(900, within(9.0));
    assertThat(figures.ofAll("default", "/svc/users", List.of("/#/io.l5d.fs/c"))).isEmpty();
  }

  @Test
  void p99IsThatOfEveryMembersRequestsMergedNotTheHighestMembersP99() {
    List<RouterTraffic> busy = List.of(router("default",
        new ServiceTraffic("/svc/users", stats(1000, 0, 10), List.of(client(V2, stats(1000, 0, 10))))));
    List<RouterTraffic> slowButQuiet = List.of(router("default",
        new ServiceTraffic("/svc/users", stats(5, 0, 900), List.of(client(V2, stats(5, 0, 900))))));

    Figures.Sample s = Figures.of(() -> List.of(busy, slowButQuiet)).of("default", "/svc/users", V2).orElseThrow();

    assertThat(s.requests()).isEqualTo(1005);
    assertThat(s.p99Millis()).isCloseTo(10, within(0.1));
  }

  @Test
  void anEndpointIsLiveWhenAnyMemberHasItInRotation() {
    List<RouterTraffic> a = List.of(router("default", new ServiceTraffic("/svc/users", stats(10, 10, 1), List.of(
        client(V2, stats(10, 10, 1), endpoint("127.0.0.1:1", true), endpoint("127.0.0.1:2", true))))));
    List<RouterTraffic> b = List.of(router("default", new ServiceTraffic("/svc/users", stats(10, 10, 1), List.of(
        client(V2, stats(10, 10, 1), endpoint("127.0.0.1:1", true), endpoint("127.0.0.1:2", false))))));

    Figures.Sample both = Figures.of(() -> List.of(a, b)).of("default", "/svc/users", V2).orElseThrow();
    Figures.Sample onlyA = Figures.of(() -> List.of(a)).of("default", "/svc/users", V2).orElseThrow();

    assertThat(both.endpoints()).isEqualTo(2);
    assertThat(both.liveEndpoints()).isEqualTo(1);
    assertThat(both.noLiveEndpoint()).isFalse();
    assertThat(onlyA.noLiveEndpoint()).isTrue();
  }

  @Test
  void destinationNoRouterSentToHasNoFigures() {
    Figures figures = Figures.of(() -> List.of(ONE));

    assertThat(figures.of("default", "/svc/users", "/#/io.l5d.fs/users-v3")).isEmpty();
    assertThat(figures.of("nowhere", "/svc/users", V2)).isEmpty();
  }
}
