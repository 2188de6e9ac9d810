package dev.turnout.app;

import dev.turnout.config.NamerConfig;
import dev.turnout.naming.consul.ConsulNamer;
import dev.turnout.naming.consul.ConsulSettings;
import dev.turnout.tls.ClientTls;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** An {@code io.l5d.consul} block as the namer's settings (the config records know no namer). */
final class ConsulConfigs {
  private ConsulConfigs() {}

  /** The namer the block describes, its TLS files read now (a bad file stops start-up, naming it). */
  static ConsulNamer start(NamerConfig.Consul c) {
    String where = "namers[kind " + c.kind() + ", prefix " + c.prefix().show() + "].tls";
    return new ConsulNamer(
        settings(c), c.prefix(), c.tls().map(t -> ClientTls.load(t, where, Clock.systemUTC())), Clock.systemUTC());
  }

  static ConsulSettings settings(NamerConfig.Consul c) {
    Set<ConsulSettings.HealthStatus> statuses = EnumSet.noneOf(ConsulSettings.HealthStatus.class);
    for (String s : c.healthStatuses()) {
      statuses.add(ConsulSettings.HealthStatus.valueOf(s.toUpperCase(Locale.ROOT)));
    }
    ConsulSettings s =
        ConsulSettings.defaults(c.host(), c.port())
            .withIncludeTag(c.includeTag())
            .withConsistency(ConsulSettings.Consistency.valueOf(c.consistencyMode().toUpperCase(Locale.ROOT)))
            .withPreferServiceAddress(c.preferServiceAddress())
            .withWeights(c.weights())
            .withSetHost(c.setHost());
    if (c.useHealthCheck()) {
      s = s.withHealthCheck(statuses);
    }
    return c.token().map(s::withToken).orElse(s);
  }
}
