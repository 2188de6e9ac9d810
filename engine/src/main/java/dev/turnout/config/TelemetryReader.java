package dev.turnout.config;

/**
 * The {@code telemetry:} block of a Linkerd config ({@code io.l5d.prometheus}, {@code io.l5d.zipkin},
 * ...). Turnout serves its own metrics on the admin port whatever this says, so the block changes
 * nothing an operator relies on and is read past with one warning; its contents are not looked at.
 */
final class TelemetryReader {
  private TelemetryReader() {}

  static void read(ConfigContext context, YamlNode n) {
    if (!n.isMissing()) {
      context.warn(n.path, "not implemented by Turnout");
    }
  }
}
