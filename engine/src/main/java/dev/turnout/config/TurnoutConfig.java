package dev.turnout.config;

import java.util.List;

/**
 * A whole Turnout configuration, validated. {@code warnings} names every key that was ignored, each
 * once, for the caller to print.
 */
public record TurnoutConfig(
    AdminConfig admin,
    List<NamerConfig> namers,
    List<RouterConfig> routers,
    StorageConfig storage,
    List<String> warnings) {

  public TurnoutConfig {
    namers = List.copyOf(namers);
    routers = List.copyOf(routers);
    warnings = List.copyOf(warnings);
  }
}
