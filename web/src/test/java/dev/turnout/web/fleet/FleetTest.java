package dev.turnout.web.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.metrics.TrafficView;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.JdbcDtabStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet as a control plane shows it: members, staleness, convergence, and the summed figures. */
class FleetTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path dir;
  private final Ticking clock = new Ticking(T0);
  private JdbcDtabStore store;
  private Fleet fleet;

  @BeforeEach
  void open() {
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).clock(clock).passwordIterations(1).open();
    fleet = new Fleet(store.fleet(), store, clock, () -> "127.0.0.1:9990");
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static FleetReport proxy(String instance, long version, TrafficView.RouterTraffic... traffic) {
    return new FleetReport(instance, FleetReport.PROXY, instance, 0, 0,
        List.of(new FleetReport.RouterReport("http", "default", version, "127.0.0.1:9990", 0, null)), List.of(traffic));
  }

  @Test
  void convergenceCountsProxiesOnTheCurrentVersionAndSaysWhichAreBehindSinceWhen() {
    store.create("default", "/svc => /a;", "ops", "");
    clock.advance(Duration.ofSeconds(10));
    DtabVersion v2 = store.update("default", "/svc => /b;", Optional.empty(), "ops", "");
    fleet.accept(proxy("p1", 2));
    fleet.accept(proxy("p2", 2));
    fleet.accept(proxy("p3", 1));
    clock.advance(Duration.ofSeconds(3));

    Fleet.Convergence c = fleet.state().namespaces().get(0);

    assertThat(c.namespace()).isEqualTo("default");
    assertThat(c.version()).isEqualTo(v2.version());
    assertThat(c.onVersion()).isEqualTo(2);
    assertThat(c.total()).isEqualTo(3);
    assertThat(c.behind()).singleElement().satisfies(b -> {
      assertThat(b.instance()).isEqualTo("p3");
      assertThat(b.version()).isEqualTo(1);
      assertThat(b.behindSeconds()).isEqualTo(3.0);
    });
  }

  @Test
  void aSilentMemberIsStaleButStillShownAndCounted() {
    store.create("default", "/svc => /a;", "ops", "");
    fleet.accept(proxy("p1", 1));
    clock.advance(Duration.ofSeconds(4));
    fleet.accept(proxy("p2", 1));
    clock.advance(Duration.ofSeconds(2));

    Fleet.State state = fleet.state();

    assertThat(state.members()).extracting(Fleet.Member::instance, Fleet.Member::stale)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("p1", true), org.assertj.core.groups.Tuple.tuple("p2", false));
    assertThat(state.namespaces().get(0).total()).isEqualTo(2);
    assertThat(state.namespaces().get(0).stale()).isEqualTo(1);
    assertThat(state.namespaces().get(0).onVersion()).as("a stale member's version is not known now").isEqualTo(1);
  }

  @Test
  void aFollowedNamespaceThatDoesNotExistIsSaidToBeAbsentNotConverged() {
    fleet.accept(proxy("p1", 0));

    Fleet.Convergence c = fleet.state().namespaces().get(0);

    assertThat(c.exists()).isFalse();
    assertThat(c.committedAt()).isNull();
  }

  @Test
  void aReportNamingTooManyRoutersOrANewMemberPastTheLimitIsRefused() {
    List<FleetReport.RouterReport> many = new java.util.ArrayList<>();
    for (int i = 0; i <= Fleet.MAX_ROUTERS; i++) {
      many.add(new FleetReport.RouterReport("r" + i, null, 0, null, 0, null));
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> fleet.accept(new FleetReport("p1", FleetReport.PROXY, "p1", 0, 0, many, List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most " + Fleet.MAX_ROUTERS + " routers");
  }

  @Test
  void aReportNamingANamespaceTheStoreCannotHoldIsShownAsAbsentAndBreaksNothing() {
    store.create("default", "/svc => /a;", "ops", "");
    fleet.accept(proxy("p1", 1));
    fleet.accept(new FleetReport("p2", FleetReport.PROXY, "p2", 0, 0,
        List.of(new FleetReport.RouterReport("http", "no good!", 1, "127.0.0.1:9990", 0, null)), List.of()));

    Fleet.State state = fleet.state();

    assertThat(state.members()).extracting(Fleet.Member::instance).containsExactly("p1", "p2");
    assertThat(state.namespaces()).extracting(Fleet.Convergence::namespace, Fleet.Convergence::exists)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("default", true), org.assertj.core.groups.Tuple.tuple("no good!", false));
  }

  @Test
  void aReportWithAHoleInItsFiguresIsRefusedWithWhereTheHoleIs() {
    String holed = """
        {"instance":"p1","role":"proxy","admin":"h:1","routers":[],
         "traffic":[{"router":"r","services":[{"service":"/svc/a"}]}]}""";
    String nameless = """
        {"instance":"p1","role":"proxy","admin":"h:1","routers":[{"namespace":"default"}]}""";

    assertThatThrownBy(() -> FleetReport.parse(holed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a fleet report: traffic[].services[]: each names its service and has stats and clients");
    assertThatThrownBy(() -> FleetReport.parse(nameless)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a fleet report: routers[]: each names its router");
    assertThatThrownBy(() -> FleetReport.parse("{\"role\":\"proxy\"}")).hasMessage("a fleet report needs an instance");
    assertThat(fleet.state().members()).isEmpty();
  }

  @Test
  void theOverviewSumsFreshMembersAndNamesTheStaleOnesItLeftOut() {
    fleet.accept(proxy("p1", 0, router(stats(10, 1.0, 2.0, 100, 0))));
    fleet.accept(proxy("p2", 0, router(stats(30, 0.5, 8.0, 300, 150))));
    clock.advance(Duration.ofSeconds(4));
    fleet.accept(proxy("p3", 0, router(stats(5, 1.0, 1.0, 50, 0))));
    clock.advance(Duration.ofSeconds(2));
    fleet.accept(proxy("p3", 0, router(stats(5, 1.0, 1.0, 50, 0))));
    TrafficView local = new TrafficView() {
      @Override
      public List<RouterTraffic> routers() {
        return List.of(router(stats(5, 1.0, 4.0, 50, 0)));
      }

      @Override
      public List<Sample> history(String router, String service, String client, int minutes) {
        return List.of();
      }
    };
    FleetTraffic traffic = new FleetTraffic(local, () -> "self", fleet::state);

    TrafficView.Stats sum = traffic.routers().get(0).services().get(0).stats();

    // p1 and p2 are stale (silent 6 s); this process and p3 remain.
    assertThat(sum.requestsPerSecond()).isEqualTo(10.0);
    assertThat(sum.requests()).isEqualTo(100);
    assertThat(sum.p99Millis()).isEqualTo(4.0);
    assertThat(traffic.coverage()).get().asString()
        .contains("1 other fleet member").contains("p1 (silent 6 s)").contains("p2 (silent 6 s)");
  }

  @Test
  void successRatesAreWeightedByRequestRateAndLatencyIsTheWorstMembers() {
    TrafficView.Stats sum = FleetTraffic.sum(List.of(stats(10, 1.0, 2.0, 100, 0), stats(30, 0.5, 8.0, 300, 150)));

    assertThat(sum.requestsPerSecond()).isEqualTo(40.0);
    assertThat(sum.successRate()).isEqualTo((10 * 1.0 + 30 * 0.5) / 40);
    assertThat(sum.p99Millis()).isEqualTo(8.0);
    assertThat(sum.failures()).isEqualTo(150);
  }

  @Test
  void routersOfOneLabelFollowingDifferentNamespacesAreNotMerged() {
    TrafficView.ServiceTraffic users = new TrafficView.ServiceTraffic("/svc/users", stats(10, 1.0, 2.0, 100, 0), List.of());
    List<TrafficView.RouterTraffic> merged = FleetTraffic.merge(List.of(
        List.of(new TrafficView.RouterTraffic("web", null, 0, List.of())),
        List.of(new TrafficView.RouterTraffic("web", "default", 3, List.of(users))),
        List.of(new TrafficView.RouterTraffic("web", "default", 4, List.of(users)))));

    assertThat(merged).extracting(TrafficView.RouterTraffic::namespace).containsExactly(null, "default");
    assertThat(merged.get(1).dtabVersion()).isEqualTo(4);
    assertThat(merged.get(1).services().get(0).stats().requests()).isEqualTo(200);
  }

  @Test
  void theFleetsP99IsThePercentileOfAllItsTrafficNotTheHighestMembers() {
    // p1: 1,000 requests at 10 ms. p2: 9 at 10 ms and one at 500 ms, so its own p99 is 500 ms; but
    // of the fleet's 1,010 requests one took 500 ms, and the fleet's p99 is 10 ms.
    org.HdrHistogram.Histogram p1 = latencies(1000, 10_000, 0, 0);
    org.HdrHistogram.Histogram p2 = latencies(9, 10_000, 1, 500_000);
    org.HdrHistogram.Histogram all = latencies(1009, 10_000, 1, 500_000);
    fleet.accept(FleetReport.parse(proxy("p1", 0, router(measured(100, p1))).toJson()));
    fleet.accept(FleetReport.parse(proxy("p2", 0, router(measured(1, p2))).toJson()));
    FleetTraffic traffic = new FleetTraffic(nothing(), () -> "self", fleet::state);

    TrafficView.Stats sum = traffic.routers().get(0).services().get(0).stats();

    assertThat(p2.getValueAtPercentile(99) / 1000.0).as("p2's own p99").isGreaterThan(490.0);
    assertThat(sum.p99Millis()).isEqualTo(all.getValueAtPercentile(99) / 1000.0).isLessThan(11.0);
    assertThat(sum.p50Millis()).isEqualTo(all.getValueAtPercentile(50) / 1000.0);
    assertThat(sum.requests()).isEqualTo(1010);
  }

  @Test
  void aMemberWithoutAHistogramMakesTheFleetsPercentilesAnUpperBound() {
    TrafficView.Stats sum =
        FleetTraffic.sum(List.of(measured(100, latencies(1000, 10_000, 0, 0)), stats(1, 1.0, 300.0, 10, 0)));

    assertThat(sum.p99Millis()).isEqualTo(300.0);
  }

  private static org.HdrHistogram.Histogram latencies(int many, long micros, int few, long slowMicros) {
    org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(2);
    h.recordValueWithCount(micros, many);
    if (few > 0) {
      h.recordValueWithCount(slowMicros, few);
    }
    return h;
  }

  private static TrafficView.Stats measured(double rps, org.HdrHistogram.Histogram h) {
    return new TrafficView.Stats(rps, 1.0, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getTotalCount(), 0, 0, dev.turnout.metrics.LatencyHistograms.encode(h));
  }

  private static TrafficView nothing() {
    return new TrafficView() {
      @Override
      public List<RouterTraffic> routers() {
        return List.of();
      }

      @Override
      public List<Sample> history(String router, String service, String client, int minutes) {
        return List.of();
      }
    };
  }

  @Test
  void aReportSurvivesItsJsonWithFiguresThatHaveNoRequests() {
    FleetReport r = proxy("p1", 3, router(new TrafficView.Stats(0, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0)));

    FleetReport back = FleetReport.parse(r.toJson());

    assertThat(back.routers()).isEqualTo(r.routers());
    assertThat(back.traffic().get(0).services().get(0).stats().successRate()).isNaN();
  }

  private static TrafficView.Stats stats(double rps, double success, double p99, long requests, long failures) {
    return new TrafficView.Stats(rps, success, p99 / 2, p99, requests, failures, 0);
  }

  private static TrafficView.RouterTraffic router(TrafficView.Stats s) {
    return new TrafficView.RouterTraffic("http", "default", 1,
        List.of(new TrafficView.ServiceTraffic("/svc/users", s,
            List.of(new TrafficView.ClientTraffic("/$/inet/127.0.0.1/1", s, 1.0, List.of())))));
  }

  /** A clock the test moves. */
  private static final class Ticking extends Clock {
    private Instant now;

    Ticking(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
