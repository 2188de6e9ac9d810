package dev.turnout.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.testing.PrometheusText;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LinkerdPrometheusTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
  private final ProxyMetrics metrics = new ProxyMetrics(nanos::get, Clock.systemUTC());

  private static void requests(TrafficStats t, int ok, int failed, String failureClass, long latencyMillis) {
    for (int i = 0; i < ok + failed; i++) {
      t.start();
      t.finish(i < ok, failureClass, Duration.ofMillis(latencyMillis).toNanos());
    }
  }

  private PrometheusText scrape(String prefix) {
    return PrometheusText.parse(new LinkerdPrometheus(metrics, prefix).scrape());
  }

  @Test
  void serviceFiguresAreLabelledWithTheRouterAndTheNameWithoutItsLeadingSlash() {
    TrafficStats users = metrics.service("web", "/svc/users");
    requests(users, 3, 1, "connect", 5);
    users.retried();

    PrometheusText text = scrape("");

    assertThat(text.value("rt:service:requests", "rt", "web", "service", "svc/users")).hasValue(4.0);
    assertThat(text.value("rt:service:success", "rt", "web", "service", "svc/users")).hasValue(3.0);
    assertThat(text.value("rt:service:retries:total", "rt", "web", "service", "svc/users")).hasValue(1.0);
    assertThat(text.value("rt:service:pending", "rt", "web", "service", "svc/users")).hasValue(0.0);
    assertThat(text.type("rt:service:requests")).hasValue("counter");
    assertThat(text.type("rt:service:pending")).hasValue("gauge");
  }

  @Test
  void failuresCarryATotalWithoutExceptionAndOneSeriesPerFailureClass() {
    TrafficStats users = metrics.service("web", "/svc/users");
    requests(users, 0, 2, "connect", 5);
    requests(users, 0, 1, "503", 5);

    PrometheusText text = scrape("");

    assertThat(text.value("rt:service:failures", "rt", "web", "service", "svc/users")).hasValue(3.0);
    assertThat(text.value("rt:service:failures", "rt", "web", "service", "svc/users", "exception", "connect"))
        .hasValue(2.0);
    assertThat(text.value("rt:service:failures", "rt", "web", "service", "svc/users", "exception", "503"))
        .hasValue(1.0);
  }

  @Test
  void boundClientsAndTheirPerServiceFiguresHaveLinkerdsClientLabels() {
    requests(metrics.client("web", "/#/io.l5d.fs/users"), 5, 0, "", 5);
    requests(metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/users"), 5, 0, "", 5);

    PrometheusText text = scrape("");

    assertThat(text.value("rt:client:requests", "rt", "web", "client", "#/io.l5d.fs/users")).hasValue(5.0);
    assertThat(text.value("rt:client:service:success", "rt", "web", "client", "#/io.l5d.fs/users", "service", "svc/users"))
        .hasValue(5.0);
  }

  @Test
  void latencyIsASummaryWithCountSumAvgAndLinkerdsQuantiles() {
    TrafficStats users = metrics.service("web", "/svc/users");
    requests(users, 9, 0, "", 10);
    requests(users, 1, 0, "", 100);
    metrics.tick();

    PrometheusText text = scrape("");

    String[] at = {"rt", "web", "service", "svc/users"};
    assertThat(text.type("rt:service:request_latency_ms")).hasValue("summary");
    assertThat(text.value("rt:service:request_latency_ms_count", at)).hasValue(10.0);
    assertThat(text.value("rt:service:request_latency_ms_sum", at).orElseThrow()).isBetween(189.0, 191.0);
    assertThat(text.value("rt:service:request_latency_ms_avg", at).orElseThrow()).isBetween(18.9, 19.1);
    assertThat(quantile(text, "0")).isBetween(9.9, 10.1);
    assertThat(quantile(text, "0.5")).isBetween(9.9, 10.1);
    assertThat(quantile(text, "0.95")).isBetween(99.0, 101.0);
    assertThat(quantile(text, "1")).isBetween(99.0, 101.0);
    assertThat(text.samples()).filteredOn(s -> s.name().equals("rt:service:request_latency_ms"))
        .extracting(s -> s.labels().get("quantile"))
        .containsExactly("0", "0.5", "0.9", "0.95", "0.99", "0.999", "0.9999", "1");
  }

  private static double quantile(PrometheusText text, String q) {
    return text.value("rt:service:request_latency_ms", "rt", "web", "service", "svc/users", "quantile", q).orElseThrow();
  }

  @Test
  void aLatencyStatWithNoRequestInItsWindowIsLeftOutAsLinkerdLeavesOutAnEmptyOne() {
    requests(metrics.service("web", "/svc/users"), 1, 0, "", 10);

    String before = new LinkerdPrometheus(metrics, "").scrape();

    assertThat(before).contains("rt:service:requests").doesNotContain("request_latency_ms");
  }

  @Test
  void thePrefixGoesBeforeEveryNameWithLinkerdsCharactersReplaced() {
    requests(metrics.service("web", "/svc/users"), 1, 0, "", 10);
    metrics.tick();

    PrometheusText text = scrape("linkerd-");

    assertThat(text.samples()).isNotEmpty().allSatisfy(s -> assertThat(s.name()).startsWith("linkerd_rt:"));
    assertThat(text.value("linkerd_rt:service:request_latency_ms_count", "rt", "web", "service", "svc/users"))
        .hasValue(1.0);
  }

  @Test
  void labelValuesAreEscapedSoAnyServiceNameReadsBackAsItWas() {
    requests(metrics.service("web", "/svc/a\"b\\c\nd"), 1, 0, "", 10);

    PrometheusText text = scrape("");

    assertThat(text.value("rt:service:requests", "rt", "web", "service", "svc/a\"b\\c\nd")).hasValue(1.0);
  }

  @Test
  void shadowTrafficEndpointsAndDtabVersionsHaveNoLinkerdNameAndAreLeftOut() {
    metrics.router("web", () -> Optional.of("default"), () -> 4);
    requests(metrics.shadow("web", "/svc/users"), 1, 0, "", 10);
    requests(metrics.endpoint("web", "/#/io.l5d.fs/users", "127.0.0.1:1", () -> false), 1, 0, "", 10);

    String scrape = new LinkerdPrometheus(metrics, "").scrape();

    assertThat(scrape).doesNotContain("shadow").doesNotContain("127.0.0.1:1").doesNotContain("dtab")
        .doesNotContain("rt:service:");
  }

  @Test
  void everyFamilyHasHelpAndTypeAndTheWholeScrapeIsStrictTextFormat() {
    requests(metrics.service("web", "/svc/users"), 3, 1, "timeout", 5);
    requests(metrics.client("web", "/#/io.l5d.fs/users"), 3, 1, "timeout", 5);
    requests(metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/users"), 3, 1, "timeout", 5);
    requests(metrics.service("api", "/svc/orders"), 1, 0, "", 5);
    metrics.tick();

    PrometheusText text = scrape("");

    assertThat(text.samples()).allSatisfy(s -> {
      String family = s.name().replaceAll("_(sum|count)$", "");
      assertThat(text.help(family)).as(s.name()).hasValueSatisfying(h -> assertThat(h).isNotBlank());
      assertThat(text.type(family)).as(s.name()).isPresent();
    });
    assertThat(text.value("rt:service:requests", "rt", "api", "service", "svc/orders")).hasValue(1.0);
  }

  @Test
  void theStrictReaderRefusesWhatTheTextFormatForbids() {
    assertThatThrownBy(() -> PrometheusText.parse("a{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n")).hasMessageContaining("not together");
    assertThatThrownBy(() -> PrometheusText.parse("a{x=\"\\t\"} 1\n")).hasMessageContaining("bad escape");
    assertThatThrownBy(() -> PrometheusText.parse("a 1\n# TYPE a counter\n")).hasMessageContaining("after");
    assertThatThrownBy(() -> PrometheusText.parse("a-b 1\n")).hasMessageContaining("space before the value");
  }

  @Test
  void routerServersAreLabelledAsLinkerdNamesThemWithStatusCountersBesideTheOutcomes() {
    TrafficStats server = metrics.server("incoming", "127.0.0.1/4141");
    server.status(200);
    server.status(204);
    server.status(503);
    requests(server, 2, 1, "503", 1);

    PrometheusText text = scrape("");

    assertThat(text.value("rt:server:requests", "rt", "incoming", "server", "127.0.0.1/4141")).hasValue(3.0);
    assertThat(text.value("rt:server:failures", "rt", "incoming", "server", "127.0.0.1/4141", "exception", "503"))
        .hasValue(1.0);
    assertThat(text.value("rt:server:status:204", "rt", "incoming", "server", "127.0.0.1/4141")).hasValue(1.0);
    assertThat(text.value("rt:server:status:2XX", "rt", "incoming", "server", "127.0.0.1/4141")).hasValue(2.0);
    assertThat(text.value("rt:server:status:5XX", "rt", "incoming", "server", "127.0.0.1/4141")).hasValue(1.0);
    assertThat(text.type("rt:server:status:2XX")).hasValue("counter");
  }
}
