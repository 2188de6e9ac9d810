package dev.turnout.config;

import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code io.l5d.consul} block, with Linkerd 1's keys and defaults: {@code host} ({@code localhost}),
 * {@code port} (8500), {@code token}, {@code includeTag}, {@code useHealthCheck}, {@code
 * healthStatuses} ({@code [passing]}), {@code setHost}, {@code consistencyMode} ({@code default}),
 * {@code failFast}, {@code preferServiceAddress} (true), {@code weights} (a list of {@code {tag,
 * weight}}); {@code experimental} is accepted. {@code fixedLengthStreamedAfterKB} and {@code
 * transferMetadata} are read past with a warning; {@code tls} is Linkerd's client TLS block.
 */
final class ConsulNamerReader {
  private ConsulNamerReader() {}

  static NamerConfig.Consul read(ConfigContext context, YamlNode n, Path mount) {
    n.only(
        "kind", "prefix", "experimental", "host", "port", "token", "includeTag", "useHealthCheck",
        "healthStatuses", "setHost", "consistencyMode", "failFast", "preferServiceAddress", "weights",
        "fixedLengthStreamedAfterKB", "transferMetadata", "tls");
    n.bool("experimental", true);
    for (String ignored : List.of("fixedLengthStreamedAfterKB", "transferMetadata")) {
      if (n.has(ignored)) {
        context.warn(n.path + "." + ignored, "not implemented by Turnout (ignored)");
      }
    }
    String host = n.text("host", "localhost");
    if (host.isBlank()) {
      throw new ConfigException(n.path + ".host: must name the Consul agent");
    }
    int port = n.port("port", 8500);
    if (port == 0) {
      throw new ConfigException(n.path + ".port: must be 1-65535");
    }
    Optional<String> token = Optional.ofNullable(n.text("token", null)).filter(t -> !t.isEmpty());
    List<String> statuses = n.has("healthStatuses") ? n.texts("healthStatuses") : List.of("passing");
    for (int i = 0; i < statuses.size(); i++) {
      if (!NamerConfig.Consul.HEALTH_STATUSES.contains(statuses.get(i))) {
        throw new ConfigException(
            n.path + ".healthStatuses[" + i + "]: " + statuses.get(i) + " is not one of "
                + String.join(", ", NamerConfig.Consul.HEALTH_STATUSES));
      }
    }
    if (statuses.isEmpty()) {
      throw new ConfigException(n.path + ".healthStatuses: names at least one status");
    }
    String consistency = n.text("consistencyMode", "default");
    if (!NamerConfig.Consul.CONSISTENCY_MODES.contains(consistency)) {
      throw new ConfigException(
          n.path + ".consistencyMode: " + consistency + " is not one of "
              + String.join(", ", NamerConfig.Consul.CONSISTENCY_MODES));
    }
    return new NamerConfig.Consul(
        mount,
        host,
        port,
        token,
        n.bool("includeTag", false),
        n.bool("useHealthCheck", false),
        new ArrayList<>(new java.util.LinkedHashSet<>(statuses)),
        consistency,
        n.bool("failFast", false),
        n.bool("preferServiceAddress", true),
        weights(n.get("weights")),
        n.bool("setHost", false),
        tls(context, n));
  }

  /** Linkerd's client TLS block; absent, or {@code enabled: false}, is plain HTTP. */
  private static Optional<ClientTlsConfig> tls(ConfigContext context, YamlNode n) {
    if (!n.has("tls")) {
      return Optional.empty();
    }
    ClientTlsConfig tls = TlsReader.client(context, n.get("tls"));
    return tls.enabled() ? Optional.of(tls) : Optional.empty();
  }

  private static Map<String, Double> weights(YamlNode list) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      YamlNode w = list.at(i);
      w.only("tag", "weight");
      String tag = w.requiredText("tag");
      if (!w.has("weight")) {
        throw new ConfigException(w.path + ".weight: is required");
      }
      double weight = w.number("weight", 1.0);
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new ConfigException(w.path + ".weight: must be a finite number >= 0");
      }
      out.put(tag, weight);
    }
    return out;
  }
}
