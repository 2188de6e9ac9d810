package dev.turnout.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A router's {@code client:}: when an endpoint is taken out of rotation ({@code failureAccrual}), how
 * one is picked ({@code loadBalancer}) and how long a connection attempt may take. Linkerd's {@code
 * aperture} and {@code heap} balancers run as {@code ewma} with a warning, since the traffic still
 * reaches the same endpoints; a balancer nobody knows is an error.
 */
final class ClientReader {
  private ClientReader() {}

  static ClientConfig read(ConfigContext context, YamlNode n) {
    n.only("failureAccrual", "loadBalancer", "connectTimeoutMs", "tls");
    FailureAccrualConfig accrual = failureAccrual(n.get("failureAccrual"));
    YamlNode lb = n.get("loadBalancer");
    lb.only("kind");
    String lbKind = lb.text("kind", "ewma");
    if (!List.of("ewma", "p2c", "roundRobin").contains(lbKind)) {
      if (List.of("aperture", "heap").contains(lbKind)) {
        context.warn(lb.path + ".kind", lbKind + " is not implemented by Turnout; using ewma");
        lbKind = "ewma";
      } else {
        throw new ConfigException(lb.path + ".kind: must be ewma, p2c or roundRobin, not " + lbKind);
      }
    }
    // Finagle's default: a host that drops connection attempts is given up on after a second, counted
    // against it and the request tried elsewhere, instead of holding the request to its timeout.
    return new ClientConfig(accrual, lbKind, n.millis("connectTimeoutMs", Duration.ofSeconds(1)), tls(context, n.get("tls")));
  }

  /**
   * {@code client.tls}, read and checked as Linkerd reads it; an enabled one is recorded as {@link
   * Unimplemented} until the upstream client speaks TLS, since its traffic would go in plaintext.
   */
  private static Optional<ClientTlsConfig> tls(ConfigContext context, YamlNode n) {
    if (n.isMissing()) {
      return Optional.empty();
    }
    ClientTlsConfig tls = TlsReader.client(context, n);
    if (tls.enabled()) {
      context.add(
          new Unimplemented(
              Unimplemented.Kind.TLS,
              n.path,
              "TLS is not implemented for router clients yet, and this traffic would go in plaintext",
              "remove tls: (or set enabled: false) to send in plaintext knowingly"));
    }
    return Optional.of(tls);
  }

  private static FailureAccrualConfig failureAccrual(YamlNode fa) {
    fa.only("kind", "failures", "successRate", "requests", "backoff");
    String faKind = fa.text("kind", "io.l5d.consecutiveFailures");
    if (!List.of("io.l5d.consecutiveFailures", "io.l5d.successRate", "none").contains(faKind)) {
      throw new ConfigException(
          fa.path + ".kind: must be io.l5d.consecutiveFailures, io.l5d.successRate or none, not " + faKind);
    }
    YamlNode backoff = fa.get("backoff");
    backoff.only("kind", "minMs", "maxMs", "ms");
    Duration min = backoff.millis("minMs", Duration.ofSeconds(5));
    Duration max = backoff.millis("maxMs", Duration.ofMinutes(5));
    if (max.compareTo(min) < 0) {
      throw new ConfigException(backoff.path + ".maxMs: must not be less than minMs");
    }
    double rate = fa.number("successRate", 0.8);
    if (rate <= 0 || rate > 1) {
      throw new ConfigException(fa.path + ".successRate: must be in (0, 1]");
    }
    return new FailureAccrualConfig(faKind, fa.positiveInt("failures", 5), rate, fa.positiveInt("requests", 20), min, max);
  }
}
