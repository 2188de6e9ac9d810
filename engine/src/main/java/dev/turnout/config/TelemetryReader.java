package dev.turnout.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code telemetry:} block of a Linkerd config, a list of telemeters by {@code kind}. {@code
 * io.l5d.prometheus} ({@code path}, {@code prefix}) is read into a {@link PrometheusTelemetry}, checked
 * now so a bad path stops start-up rather than hiding a route; {@code io.l5d.zipkin}, {@code
 * turnout.otlp} and {@code io.l5d.recentRequests} into a {@link TracingConfig} ({@link #tracing}). Every
 * other kind ({@code io.l5d.statsd}, ...) is read past with one warning each: Turnout serves its own
 * metrics on the admin port whatever they say, so leaving them out changes nothing an operator relies on.
 */
final class TelemetryReader {
  static final String PROMETHEUS = "io.l5d.prometheus";
  static final String ZIPKIN = "io.l5d.zipkin";
  static final String OTLP = "turnout.otlp";
  static final String RECENT = "io.l5d.recentRequests";
  private static final Set<String> TRACING = Set.of(ZIPKIN, OTLP, RECENT);

  private TelemetryReader() {}

  static List<PrometheusTelemetry> read(ConfigContext context, YamlNode block) {
    List<PrometheusTelemetry> out = new ArrayList<>();
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < block.size(); i++) {
      YamlNode n = block.at(i);
      String kind = n.requiredText("kind");
      if (TRACING.contains(kind)) {
        continue;
      }
      if (!kind.equals(PROMETHEUS)) {
        context.warn("telemetry", "not implemented by Turnout: " + kind + " at " + n.path);
        continue;
      }
      n.only("kind", "path", "prefix");
      String path = n.text("path", PrometheusTelemetry.DEFAULT_PATH);
      String prefix = n.text("prefix", "");
      check(n.path + ".path", () -> PrometheusTelemetry.checkPath(path));
      check(n.path + ".prefix", () -> PrometheusTelemetry.checkPrefix(prefix));
      if (!paths.add(path)) {
        throw new ConfigException(n.path + ".path: " + path + " is served by an earlier telemeter already");
      }
      out.add(new PrometheusTelemetry(path, prefix));
    }
    return out;
  }

  /**
   * The telemeters that follow requests. {@code io.l5d.zipkin}: {@code host} (localhost), {@code port}
   * (9411, Zipkin's HTTP port: Linkerd's default 9410 was Scribe over Thrift, which Turnout does not
   * speak, so a config naming 9410 is warned once) and {@code sampleRate} (Linkerd's 0.001). {@code
   * turnout.otlp}: {@code endpoint} (required) and {@code sampleRate}. {@code io.l5d.recentRequests}:
   * {@code sampleRate} (required, as in Linkerd) and {@code capacity} (10); one at most.
   */
  static TracingConfig tracing(ConfigContext context, YamlNode block) {
    List<TracingConfig.Zipkin> zipkin = new ArrayList<>();
    List<TracingConfig.Otlp> otlp = new ArrayList<>();
    java.util.Optional<TracingConfig.RecentRequests> recent = java.util.Optional.empty();
    for (int i = 0; i < block.size(); i++) {
      YamlNode n = block.at(i);
      String kind = n.requiredText("kind");
      if (kind.equals(ZIPKIN)) {
        n.only("kind", "host", "port", "sampleRate");
        int port = n.port("port", TracingConfig.ZIPKIN_PORT);
        if (port == 9410) {
          context.note(n.path + ".port: 9410 was Linkerd's Zipkin Scribe (Thrift) port; Turnout sends Zipkin v2"
              + " JSON over HTTP (the Zipkin server's port 9411 by default), so spans sent to 9410 are lost"
              + " unless a Zipkin HTTP collector listens there");
        }
        double rate = n.number("sampleRate", TracingConfig.DEFAULT_SAMPLE_RATE);
        zipkin.add(build(n, () -> new TracingConfig.Zipkin(n.text("host", "localhost"), port, rate)));
      } else if (kind.equals(OTLP)) {
        n.only("kind", "endpoint", "sampleRate");
        String endpoint = n.requiredText("endpoint");
        double rate = n.number("sampleRate", TracingConfig.DEFAULT_SAMPLE_RATE);
        otlp.add(build(n, () -> new TracingConfig.Otlp(endpoint, rate)));
      } else if (kind.equals(RECENT)) {
        n.only("kind", "sampleRate", "capacity");
        if (recent.isPresent()) {
          throw new ConfigException(n.path + ": only one io.l5d.recentRequests telemeter may be given");
        }
        if (!n.has("sampleRate")) {
          throw new ConfigException(n.path + ".sampleRate: is required, between 0.0 and 1.0 (as in Linkerd)");
        }
        double rate = n.number("sampleRate", 0);
        int capacity = n.positiveInt("capacity", 10);
        recent = java.util.Optional.of(build(n, () -> new TracingConfig.RecentRequests(rate, capacity)));
      }
    }
    return new TracingConfig(zipkin, otlp, recent);
  }

  /** Makes a record, its check's message ({@code sampleRate: ...}) put under the entry's YAML path. */
  private static <T> T build(YamlNode n, java.util.function.Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(n.path + "." + e.getMessage());
    }
  }

  private static void check(String key, Runnable check) {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }
}
