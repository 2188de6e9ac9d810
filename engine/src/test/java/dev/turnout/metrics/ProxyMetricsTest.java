package dev.turnout.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
  private final ProxyMetrics metrics = new ProxyMetrics(nanos::get, Clock.systemUTC());

  private void requests(TrafficStats t, int ok, int failed, long latencyMillis) {
    for (int i = 0; i < ok + failed; i++) {
      t.start();
      t.finish(i < ok, "500", Duration.ofMillis(latencyMillis).toNanos());
    }
  }

  @Test
  void viewShowsServicesClientsSharesAndEjectedEndpoints() {
    metrics.router("web", () -> Optional.of("default"), () -> 3);
    requests(metrics.service("web", "/svc/users"), 10, 0, 5);
    requests(metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/v1"), 3, 0, 5);
    requests(metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/v2"), 7, 0, 5);
    metrics.endpoint("web", "/#/io.l5d.fs/v1", "127.0.0.1:1", () -> true);

    TrafficView.RouterTraffic web = metrics.view().routers().get(0);

    assertThat(web.dtabVersion()).isEqualTo(3);
    TrafficView.ServiceTraffic users = web.services().get(0);
    assertThat(users.clients()).extracting(TrafficView.ClientTraffic::share).containsExactly(0.3, 0.7);
    assertThat(users.clients().get(0).endpoints().get(0).ejected()).isTrue();
  }

  @Test
  void figuresFoundFromTheirParentsAreTheOnesFoundByName() {
    TrafficStats service = metrics.service("web", "/svc/users");
    TrafficStats client = metrics.client("web", "/#/io.l5d.fs/v1");

    TrafficStats serviceClient = metrics.serviceClient(service, "/#/io.l5d.fs/v1");
    TrafficStats endpoint = metrics.endpoint(client, "127.0.0.1:1", () -> false);

    assertThat(serviceClient).isSameAs(metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/v1"));
    assertThat(endpoint).isSameAs(metrics.endpoint("web", "/#/io.l5d.fs/v1", "127.0.0.1:1", () -> false));
    assertThat(metrics.flat()).containsKeys(
        "rt/web/service/svc/users/client/#/io.l5d.fs/v1/requests",
        "rt/web/client/#/io.l5d.fs/v1/endpoint/127.0.0.1:1/requests");
  }

  @Test
  void figuresThatAreNotAServicesOrAClientsHaveNoneBelowThem() {
    TrafficStats shadow = metrics.shadow("web", "/svc/users");
    TrafficStats service = metrics.service("web", "/svc/users");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> metrics.serviceClient(shadow, "/#/io.l5d.fs/v1"))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> metrics.endpoint(service, "127.0.0.1:1", () -> false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sharesFollowTheLastTenSecondsSoAShiftShowsAtOnce() {
    metrics.router("web", () -> Optional.of("default"), () -> 1);
    requests(metrics.service("web", "/svc/users"), 100, 0, 5);
    requests(metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/v1"), 100, 0, 5);
    nanos.addAndGet(Duration.ofSeconds(30).toNanos());

    requests(metrics.service("web", "/svc/users"), 10, 0, 5);
    requests(metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/v2"), 10, 0, 5);

    TrafficView.ServiceTraffic users = metrics.view().routers().get(0).services().get(0);
    assertThat(users.clients()).extracting(TrafficView.ClientTraffic::share).containsExactly(0.0, 1.0);
  }

  @Test
  void latencyIsUnknownRatherThanZeroBeforeAnyRequestIsTimed() {
    metrics.router("web", () -> Optional.of("default"), () -> 1);
    metrics.service("web", "/svc/users");

    TrafficView.Stats stats = metrics.view().routers().get(0).services().get(0).stats();

    assertThat(stats.p50Millis()).isNaN();
    assertThat(stats.p99Millis()).isNaN();
  }

  @Test
  void ratesAndSuccessRateCoverSlidingWindows() {
    TrafficStats t = metrics.service("web", "/svc/a");
    requests(t, 90, 10, 1);
    nanos.addAndGet(Duration.ofSeconds(30).toNanos());
    requests(t, 10, 0, 1);

    assertThat(t.requestRate(10)).isEqualTo(1.0);
    assertThat(t.successRate(10)).isEqualTo(1.0);
    assertThat(t.successRate(60)).isEqualTo(100 / 110.0);
  }

  @Test
  void ticksKeepTenMinutesOfTenSecondHistory() {
    TrafficStats t = metrics.service("web", "/svc/a");
    for (int i = 0; i < 700; i++) {
      requests(t, 1, 0, 10);
      metrics.tick();
      nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    }

    assertThat(t.latency().p50()).isBetween(9.9, 10.1);
    assertThat(metrics.view().history("web", "/svc/a", null, 10)).hasSize(60);
    assertThat(metrics.view().history("web", "/svc/a", null, 1)).hasSize(6);
  }

  @Test
  void percentilesCoverTheLastTenSecondsOnly() {
    TrafficStats t = metrics.service("web", "/svc/a");
    requests(t, 5, 0, 100);
    metrics.tick();
    assertThat(t.latency().p50()).isBetween(99.0, 101.0);

    for (int i = 0; i < 10; i++) {
      requests(t, 5, 0, 2);
      metrics.tick();
    }

    assertThat(t.latency().p99()).isBetween(1.9, 2.1);
  }

  @Test
  void latencyIsAPrometheusHistogramThatInstancesCanBeSummedBy() {
    TrafficStats t = metrics.service("web", "/svc/users");
    requests(t, 90, 0, 3);
    requests(t, 10, 0, 40);
    metrics.tick();

    String scrape = metrics.registry().scrape();

    assertThat(scrape).contains("# TYPE turnout_service_latency_ms histogram");
    assertThat(scrape).containsPattern("turnout_service_latency_ms_bucket\\{[^}]*le=\"2\\.0\"[^}]*\\} 0(\\.0)?\\n");
    assertThat(scrape).containsPattern("turnout_service_latency_ms_bucket\\{[^}]*le=\"5\\.0\"[^}]*\\} 90(\\.0)?\\n");
    assertThat(scrape).containsPattern("turnout_service_latency_ms_bucket\\{[^}]*le=\"50\\.0\"[^}]*\\} 100(\\.0)?\\n");
    assertThat(scrape).containsPattern("turnout_service_latency_ms_count\\{[^}]*\\} 100(\\.0)?\\n");
    assertThat(scrape).doesNotContain("quantile=");
  }

  @Test
  void failuresAreCountedByClass() {
    TrafficStats t = metrics.service("web", "/svc/a");
    t.start();
    t.finish(false, "timeout", 1);
    t.start();
    t.finish(false, "502", 1);

    assertThat(t.failuresByClass()).containsEntry("timeout", 1L).containsEntry("502", 1L);
    assertThat(metrics.registry().scrape()).contains("turnout_service_failures_by_class_total{class=\"timeout\"");
  }

  @Test
  void serviceNamesBeyondTheCapAreCountedTogether() {
    for (int i = 0; i < ProxyMetrics.MAX_SERVICES + 50; i++) {
      TrafficStats t = metrics.service("web", "/svc/random-" + i);
      t.start();
      t.finish(true, "", 1);
    }

    assertThat(metrics.view().routers().get(0).services()).hasSize(ProxyMetrics.MAX_SERVICES + 1);
    assertThat(metrics.service("web", "/svc/another").requests()).isEqualTo(50);
  }
  @Test
  void aNameTooLongToBeALabelIsCountedUnderOther() {
    String huge = "/svc/" + "x".repeat(100_000);

    TrafficStats t = metrics.service("web", huge);
    t.start();
    t.finish(true, "", 1);

    assertThat(metrics.service("web", ProxyMetrics.OTHER).requests()).isEqualTo(1);
    assertThat(metrics.registry().scrape()).doesNotContain("xxxxxxxxxx");
  }

  @Test
  void boundClientsAndEndpointsBeyondTheCapAreCountedTogether() {
    // An l5d-dtab override can send each request to a new /$/inet address.
    for (int i = 0; i < ProxyMetrics.MAX_SERVICES + 20; i++) {
      String client = "/$/inet/10.0.0.1/" + (1000 + i);
      metrics.client("web", client).start();
      metrics.serviceClient("web", "/svc/users", client).start();
      metrics.endpoint("web", "/$/inet/10.0.0.1/1000", "10.0.0.1:" + (1000 + i), () -> false).start();
    }

    assertThat(metrics.client("web", ProxyMetrics.OTHER).inFlight()).isEqualTo(20);
    assertThat(metrics.serviceClient("web", "/svc/users", ProxyMetrics.OTHER).inFlight()).isEqualTo(20);
    assertThat(metrics.endpoint("web", "/$/inet/10.0.0.1/1000", ProxyMetrics.OTHER, () -> false).inFlight())
        .isEqualTo(20);
  }

  @Test
  void everyFamilyOnMetricsHasAHelpTextSayingWhatItCounts() {
    metrics.router("web", () -> Optional.of("default"), () -> 3);
    requests(metrics.service("web", "/svc/users"), 1, 1, 5);
    requests(metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/v1"), 1, 1, 5);
    requests(metrics.client("web", "/#/io.l5d.fs/v1"), 1, 1, 5);
    requests(metrics.endpoint("web", "/#/io.l5d.fs/v1", "127.0.0.1:1", () -> false), 1, 1, 5);
    requests(metrics.shadow("web", "/svc/users"), 1, 1, 5);

    String scrape = metrics.registry().scrape();

    List<String> families = scrape.lines().filter(l -> l.startsWith("# TYPE ")).toList();
    List<String> helps = scrape.lines().filter(l -> l.startsWith("# HELP ")).toList();
    assertThat(families).hasSizeGreaterThan(30);
    assertThat(helps).hasSameSizeAs(families).allSatisfy(h -> assertThat(h.split(" ", 4)).hasSize(4));
    assertThat(scrape)
        .contains("# HELP turnout_service_requests_total Finished requests to a service name, each counted once")
        .contains("# HELP turnout_endpoint_failures_by_class_total Failed requests to one endpoint (host:port)");
  }
}
