package dev.turnout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryReaderTest {
  @TempDir java.nio.file.Path dir;

  private TurnoutConfig parse(String yaml) {
    return ConfigLoader.parse(yaml, dir, dir.resolve("data"));
  }

  @Test
  void prometheusTakesLinkerdsDefaultsWhenPathAndPrefixAreLeftOut() {
    TurnoutConfig config = parse("telemetry:\n- kind: io.l5d.prometheus\n");

    assertThat(config.telemetry()).containsExactly(new PrometheusTelemetry("/admin/metrics/prometheus", ""));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void prometheusPathAndPrefixAreReadAsWritten() {
    TurnoutConfig config =
        parse("telemetry:\n- kind: io.l5d.prometheus\n  path: /linkerd/metrics\n  prefix: linkerd_\n");

    assertThat(config.telemetry()).containsExactly(new PrometheusTelemetry("/linkerd/metrics", "linkerd_"));
  }

  @Test
  void otherKindsAreReadPastWithOneWarningEach() {
    TurnoutConfig config =
        parse("telemetry:\n- kind: io.l5d.influxdb\n  host: 127.0.0.1\n- kind: io.l5d.prometheus\n- kind: io.l5d.statsd\n");

    assertThat(config.telemetry()).hasSize(1);
    assertThat(config.warnings()).containsExactly(
        "telemetry: not implemented by Turnout: io.l5d.influxdb at telemetry[0] (ignored)",
        "telemetry: not implemented by Turnout: io.l5d.statsd at telemetry[2] (ignored)");
  }

  @Test
  void aPathWithoutALeadingSlashIsRefusedWithItsYamlPath() {
    assertThatThrownBy(() -> parse("telemetry:\n- kind: io.l5d.prometheus\n  path: metrics/prometheus\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("telemetry[0].path: must start with '/', as /admin/metrics/prometheus does");
  }

  @Test
  void aPathTheAdminServersAnswerAlreadyIsRefused() {
    for (String taken : new String[] {"/metrics", "/admin/metrics.json", "/health", "/", "/api/1/dtabs", "/dtabs/x"}) {
      assertThatThrownBy(() -> parse("telemetry:\n- kind: io.l5d.prometheus\n  path: " + taken + "\n"))
          .as(taken)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("telemetry[0].path: " + taken + " is");
    }
  }

  @Test
  void twoTelemetersOnOnePathAreRefused() {
    assertThatThrownBy(() -> parse("telemetry:\n- kind: io.l5d.prometheus\n- kind: io.l5d.prometheus\n  prefix: x_\n"))
        .hasMessage("telemetry[1].path: /admin/metrics/prometheus is served by an earlier telemeter already");
  }

  @Test
  void aPrefixStartingWithADigitIsRefusedSinceNoNameCouldStartWithIt() {
    assertThatThrownBy(() -> parse("telemetry:\n- kind: io.l5d.prometheus\n  prefix: 9x\n"))
        .hasMessage("telemetry[0].prefix: must not start with a digit: Prometheus names cannot");
  }

  @Test
  void anUnknownKeyOnAPrometheusEntryIsWarnedAbout() {
    TurnoutConfig config = parse("telemetry:\n- kind: io.l5d.prometheus\n  colour: blue\n");

    assertThat(config.warnings()).containsExactly("telemetry[0].colour: unknown key (ignored)");
  }

  @Test
  void zipkinTakesZipkinsHttpPortAndLinkerdsSampleRateWhenLeftOut() {
    TurnoutConfig config = parse("telemetry:\n- kind: io.l5d.zipkin\n");

    assertThat(config.tracing().zipkin()).containsExactly(new TracingConfig.Zipkin("localhost", 9411, 0.001));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void zipkinOnLinkerdsScribePortIsWarnedOnceAndKept() {
    TurnoutConfig config = parse("telemetry:\n- kind: io.l5d.zipkin\n  host: zipkin\n  port: 9410\n  sampleRate: 1.0\n");

    assertThat(config.tracing().zipkin()).containsExactly(new TracingConfig.Zipkin("zipkin", 9410, 1.0));
    assertThat(config.warnings()).singleElement().asString()
        .startsWith("telemetry[0].port: 9410 was Linkerd's Zipkin Scribe (Thrift) port");
  }

  @Test
  void aSampleRateOutsideZeroToOneIsRefusedWithItsYamlPath() {
    assertThatThrownBy(() -> parse("telemetry:\n- kind: io.l5d.zipkin\n  sampleRate: 2\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("telemetry[0].sampleRate: must be between 0.0 and 1.0");
  }

  @Test
  void otlpNeedsAnEndpointUrl() {
    assertThatThrownBy(() -> parse("telemetry:\n- kind: turnout.otlp\n"))
        .hasMessage("telemetry[0].endpoint: is required");
    assertThat(parse("telemetry:\n- kind: turnout.otlp\n  endpoint: http://127.0.0.1:4318/v1/traces\n").tracing().otlp())
        .containsExactly(new TracingConfig.Otlp("http://127.0.0.1:4318/v1/traces", 0.001));
  }

  @Test
  void recentRequestsNeedsASampleRateAsInLinkerdAndKeepsTenByDefault() {
    assertThatThrownBy(() -> parse("telemetry:\n- kind: io.l5d.recentRequests\n"))
        .hasMessageStartingWith("telemetry[0].sampleRate: is required");
    assertThat(parse("telemetry:\n- kind: io.l5d.recentRequests\n  sampleRate: 0.5\n").tracing().recentRequests())
        .contains(new TracingConfig.RecentRequests(0.5, 10));
  }
}
