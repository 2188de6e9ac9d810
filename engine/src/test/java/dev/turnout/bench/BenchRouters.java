package dev.turnout.bench;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.FailureAccrualConfig;
import dev.turnout.config.IdentifierConfig;
import dev.turnout.config.InterpreterConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerConfig;
import dev.turnout.config.ServiceConfig;
import dev.turnout.dtab.Path;
import java.time.Duration;
import java.util.List;

/** The router the benchmarks route through: the config file's defaults around a given dtab. */
final class BenchRouters {
  private BenchRouters() {}

  static RouterConfig config(String dtab) {
    Path svc = Path.read("/svc");
    return new RouterConfig(
        "web",
        "http",
        dtab,
        List.of(new IdentifierConfig("io.l5d.header.token", "Host", svc, 0, false, false, null)),
        svc,
        new InterpreterConfig("default", null),
        List.of(new ServerConfig("127.0.0.1", 0, false)),
        new ClientConfig(
            new FailureAccrualConfig(
                "io.l5d.consecutiveFailures", 5, 0.8, 20, Duration.ofSeconds(5), Duration.ofMinutes(5)),
            "ewma",
            Duration.ofSeconds(1)),
        new ServiceConfig("io.l5d.http.nonRetryable5XX", 0.2, 10, Duration.ofSeconds(10)),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        1000,
        true);
  }
}
