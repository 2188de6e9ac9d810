package dev.turnout.bench;

import dev.turnout.config.ConfigLoader;
import dev.turnout.config.RouterConfig;
import java.nio.file.Path;

/** The router the benchmarks route through: the config file's defaults around a given dtab. */
final class BenchRouters {
  private BenchRouters() {}

  static RouterConfig config(String dtab) {
    // The data directory only names where a store would be; nothing is created.
    return ConfigLoader.defaults(Path.of("data")).routers().get(0).withDtab(dtab);
  }
}
