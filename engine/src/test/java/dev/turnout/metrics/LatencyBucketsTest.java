package dev.turnout.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.turnout.testing.PrometheusText;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LatencyBucketsTest {
  private static final String[] AT = {"router", "web", "service", "/svc/users"};

  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
  private final ProxyMetrics metrics = new ProxyMetrics(nanos::get, Clock.systemUTC());

  /**
   * Latencies from 1 us to 40 s, none within the histogram's 1% above a bound (where it may count a
   * latency under that bound), so each must sit exactly where a per-request summary put it.
   */
  private static List<Long> latenciesMicros(int n) {
    SplittableRandom random = new SplittableRandom(29);
    List<Long> out = new ArrayList<>();
    while (out.size() < n) {
      long micros = (long) Math.pow(10, random.nextDouble(0, 7.6));
      boolean nearBound = false;
      for (double b : LatencyBuckets.BOUNDS_MS) {
        long bound = Math.round(b * 1000);
        nearBound |= micros > bound && micros <= bound + bound / 100;
      }
      if (!nearBound) {
        out.add(micros);
      }
    }
    return out;
  }

  private PrometheusText scrape() {
    return PrometheusText.parse(metrics.registry().scrape());
  }

  private static double bucket(PrometheusText text, String le) {
    return text.value("turnout_service_latency_ms_bucket", "router", "web", "service", "/svc/users", "le", le)
        .orElseThrow();
  }

  @Test
  void bucketCountsSumAndMaxAreThoseOfTheRequestsLatencies() throws InterruptedException {
    TrafficStats t = metrics.service("web", "/svc/users");
    List<Long> latencies = latenciesMicros(5_000);
    // Two threads, so two stripes' recorders, over three seconds.
    for (int second = 0; second < 3; second++) {
      List<Long> part = latencies.subList(second * 1000, second * 1000 + 1000);
      Thread other = new Thread(() -> part.subList(0, 500).forEach(us -> finish(t, us)));
      other.start();
      part.subList(500, 1000).forEach(us -> finish(t, us));
      other.join();
      metrics.tick();
    }
    latencies.subList(3000, 5000).forEach(us -> finish(t, us));
    metrics.tick();

    PrometheusText text = scrape();

    assertThat(text.type("turnout_service_latency_ms")).hasValue("histogram");
    for (double bound : LatencyBuckets.BOUNDS_MS) {
      long under = latencies.stream().filter(us -> us / 1000.0 <= bound).count();
      assertThat(bucket(text, String.valueOf(bound))).as("le=%s", bound).isEqualTo((double) under);
    }
    assertThat(bucket(text, "+Inf")).isEqualTo(5000.0);
    assertThat(text.value("turnout_service_latency_ms_count", AT)).hasValue(5000.0);
    long sum = latencies.stream().mapToLong(Long::longValue).sum();
    assertThat(text.value("turnout_service_latency_ms_sum", AT).orElseThrow()).isCloseTo(sum / 1000.0, within(1e-6));
    long max = latencies.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(text.value("turnout_service_latency_ms_max", AT)).hasValue(max / 1000.0);
  }

  @Test
  void requestsShowAfterTheTickThatClosesTheirSecond() {
    TrafficStats t = metrics.service("web", "/svc/users");
    finish(t, 3_000);

    PrometheusText before = scrape();
    metrics.tick();
    PrometheusText after = scrape();

    assertThat(before.value("turnout_service_latency_ms_count", AT)).hasValue(0.0);
    assertThat(after.value("turnout_service_latency_ms_count", AT)).hasValue(1.0);
    assertThat(bucket(after, "2.0")).isZero();
    assertThat(bucket(after, "5.0")).isEqualTo(1.0);
    assertThat(after.value("turnout_service_latency_ms_sum", AT)).hasValue(3.0);
  }

  @Test
  void maxCoversTheLastTwoMinutesAndCountsStay() {
    TrafficStats t = metrics.service("web", "/svc/users");
    finish(t, 70_000);
    metrics.tick();
    finish(t, 20_000);
    for (int i = 0; i < LatencyBuckets.MAX_SECONDS - 1; i++) {
      metrics.tick();
    }
    double stillThere = scrape().value("turnout_service_latency_ms_max", AT).orElseThrow();

    metrics.tick();
    PrometheusText later = scrape();

    assertThat(stillThere).isEqualTo(70.0);
    assertThat(later.value("turnout_service_latency_ms_max", AT)).hasValue(20.0);
    assertThat(later.value("turnout_service_latency_ms_count", AT)).hasValue(2.0);
  }

  @Test
  void everyScopeHasItsOwnFamilyWithItsOwnLabels() {
    finish(metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/users"), 1_500);
    finish(metrics.endpoint("web", "/#/io.l5d.fs/users", "127.0.0.1:8080", () -> false), 1_500);
    finish(metrics.shadow("web", "/svc/users"), 1_500);
    metrics.tick();

    PrometheusText text = scrape();

    String client = "/#/io.l5d.fs/users";
    assertThat(text.value("turnout_service_client_latency_ms_count", "router", "web", "service", "/svc/users",
            "client", client))
        .hasValue(1.0);
    assertThat(text.value("turnout_endpoint_latency_ms_bucket", "router", "web", "client", client,
            "endpoint", "127.0.0.1:8080", "le", "2.0"))
        .hasValue(1.0);
    assertThat(text.value("turnout_shadow_service_latency_ms_sum", AT)).hasValue(1.5);
    assertThat(text.help("turnout_endpoint_latency_ms_max")).hasValueSatisfying(h -> assertThat(h).contains("endpoint"));
  }

  private static void finish(TrafficStats t, long micros) {
    t.start();
    t.finish(true, null, micros * 1000);
  }
}
