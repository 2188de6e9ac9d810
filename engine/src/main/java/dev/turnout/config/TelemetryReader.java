package dev.turnout.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code telemetry:} block of a Linkerd config, a list of telemeters by {@code kind}. {@code
 * io.l5d.prometheus} ({@code path}, {@code prefix}) is read into a {@link PrometheusTelemetry}, checked
 * now so a bad path stops start-up rather than hiding a route. Every other kind ({@code io.l5d.zipkin},
 * {@code io.l5d.statsd}, ...) is read past with one warning each: Turnout serves its own metrics on the
 * admin port whatever they say, so leaving them out changes nothing an operator relies on.
 */
final class TelemetryReader {
  static final String PROMETHEUS = "io.l5d.prometheus";

  private TelemetryReader() {}

  static List<PrometheusTelemetry> read(ConfigContext context, YamlNode block) {
    List<PrometheusTelemetry> out = new ArrayList<>();
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < block.size(); i++) {
      YamlNode n = block.at(i);
      String kind = n.requiredText("kind");
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

  private static void check(String key, Runnable check) {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }
}
