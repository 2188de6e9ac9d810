package dev.turnout.web.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.metrics.TrafficView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A member's report carries its h2 routers as such, and their failures by gRPC code, to the overview. */
class H2FleetReportTest {

  private static FleetReport report(TrafficView.RouterTraffic traffic) {
    return new FleetReport("p1", FleetReport.PROXY, "p1", 0, 0,
        List.of(new FleetReport.RouterReport("grpc", "default", 1, "127.0.0.1:9990", 0, null)), List.of(traffic));
  }

  @Test
  void anH2RoutersProtocolAndFailuresByClassSurviveTheReport() {
    TrafficView.Stats stats = new TrafficView.Stats(1, 0.5, 1, 2, 4, 2, 0, Map.of("grpc-14", 2L));
    TrafficView.RouterTraffic grpc = new TrafficView.RouterTraffic("grpc", "h2", "default", 1, List.of(
        new TrafficView.ServiceTraffic("/svc/users", stats, List.of(
            new TrafficView.ClientTraffic("/$/inet/127.0.0.1/1", stats, 1, List.of())))));

    TrafficView.RouterTraffic back = FleetReport.parse(report(grpc).toJson()).traffic().get(0);

    assertThat(back.protocol()).isEqualTo("h2");
    assertThat(back.services().get(0).clients().get(0).stats().failuresByClass()).containsEntry("grpc-14", 2L);
  }

  @Test
  void aReportFromBeforeProtocolsIsOfAnHttpRouterWithoutABreakdown() {
    String old = """
        {"instance":"p1","role":"proxy","admin":"h:1","routers":[],
         "traffic":[{"router":"r","namespace":"default","dtabVersion":1,"services":[{"service":"/svc/a",
           "stats":{"requestsPerSecond":1,"successRate":1,"p50Millis":1,"p99Millis":1,"requests":1,"failures":0,"inFlight":0},
           "clients":[]}]}]}""";

    TrafficView.RouterTraffic r = FleetReport.parse(old).traffic().get(0);

    assertThat(r.protocol()).isEqualTo("http");
    assertThat(r.services().get(0).stats().failuresByClass()).isEmpty();
  }

  @Test
  void theFleetSumsFailuresByClassAndKeepsTheProtocol() {
    TrafficView.Stats a = new TrafficView.Stats(1, 0.5, 1, 2, 4, 2, 0, Map.of("grpc-14", 2L));
    TrafficView.Stats b = new TrafficView.Stats(1, 0.5, 1, 2, 4, 2, 0, Map.of("grpc-14", 1L, "grpc-4", 1L));

    assertThat(FleetTraffic.sum(List.of(a, b)).failuresByClass()).containsExactlyInAnyOrderEntriesOf(Map.of("grpc-14", 3L, "grpc-4", 1L));
    assertThat(FleetTraffic.merge(List.of(
        List.of(new TrafficView.RouterTraffic("grpc", "h2", "default", 1, List.of())),
        List.of(new TrafficView.RouterTraffic("grpc", "h2", "default", 2, List.of())))).get(0).protocol()).isEqualTo("h2");
  }
}
