package dev.turnout.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A whole Turnout configuration, validated. {@code warnings} names every key that was ignored, each
 * once, for the caller to print; {@code unimplemented} names what the config asks for that Turnout
 * cannot do (routers of such a protocol are not in {@code routers}), which {@link #refuseUnimplemented}
 * turns into a refusal to start. {@code telemetry} holds the telemeters Turnout implements, in the
 * order written (today only {@code io.l5d.prometheus}); {@code tracing} the ones that follow requests
 * ({@code io.l5d.zipkin}, {@code turnout.otlp}, {@code io.l5d.recentRequests}); the others are among
 * the warnings.
 */
public record TurnoutConfig(
    AdminConfig admin,
    List<NamerConfig> namers,
    List<RouterConfig> routers,
    StorageConfig storage,
    List<PrometheusTelemetry> telemetry,
    TracingConfig tracing,
    List<String> warnings,
    List<Unimplemented> unimplemented) {

  public TurnoutConfig {
    namers = List.copyOf(namers);
    telemetry = List.copyOf(telemetry);
    routers = List.copyOf(routers);
    warnings = List.copyOf(warnings);
    unimplemented = List.copyOf(unimplemented);
    java.util.Objects.requireNonNull(tracing, "tracing: TracingConfig.none() when nothing is traced");
  }

  /** A config without tracing telemeters. */
  public TurnoutConfig(
      AdminConfig admin,
      List<NamerConfig> namers,
      List<RouterConfig> routers,
      StorageConfig storage,
      List<PrometheusTelemetry> telemetry,
      List<String> warnings,
      List<Unimplemented> unimplemented) {
    this(admin, namers, routers, storage, telemetry, TracingConfig.none(), warnings, unimplemented);
  }

  public TurnoutConfig(
      AdminConfig admin, List<NamerConfig> namers, List<RouterConfig> routers, StorageConfig storage, List<String> warnings) {
    this(admin, namers, routers, storage, List.of(), TracingConfig.none(), warnings, List.of());
  }

  /**
   * Stops start-up on anything in {@link #unimplemented}, one line each, unless {@code skipRouters}
   * and every such thing is a router; then what was left out is returned (each router's YAML path and
   * why), for the caller to print once. {@code hasStore}: whether this process opens the store (a proxy-only process
   * ignores the storage block, so an unknown storage kind there changes nothing).
   *
   * @throws ConfigException naming every refused thing, or, with only skipped routers, that no router
   *     is left
   */
  public List<String> refuseUnimplemented(boolean skipRouters, boolean hasStore) {
    List<String> refused = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Unimplemented u : unimplemented) {
      if (u.kind() == Unimplemented.Kind.STORAGE && !hasStore) {
        continue;
      }
      if (skipRouters && u.skippable()) {
        skipped.add(u.path() + " (" + u.what() + ")");
      } else {
        refused.add(u.line());
      }
    }
    if (!refused.isEmpty()) {
      throw new ConfigException(String.join("\n", refused));
    }
    if (routers.isEmpty()) {
      throw new ConfigException(
          "routers: no router uses a protocol Turnout implements (http); --skip-unimplemented left out every router");
    }
    return List.copyOf(skipped);
  }
}
