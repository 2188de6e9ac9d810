package dev.turnout.web;

import dev.turnout.metrics.TrafficView;
import dev.turnout.store.DtabStore;
import dev.turnout.store.UserStore;
import dev.turnout.web.routing.PreviewService;
import java.time.Clock;

/**
 * What the dashboard runs on: the dtab store, the users, the live traffic view, the binding used for
 * previews, and the clock (the overview's chart window; sessions expire by the store's own clock);
 * with a rollout driver, the rollouts screen.
 */
public record DashboardServices(
    DtabStore store,
    UserStore users,
    TrafficView traffic,
    PreviewService preview,
    Clock clock,
    java.util.Optional<dev.turnout.web.fleet.Fleet> fleet,
    java.util.Optional<dev.turnout.tracing.RecentRequests> recent,
    java.util.Optional<dev.turnout.web.rollout.RolloutDriver> rollouts) {

  public DashboardServices {
    if (store == null || users == null || traffic == null || preview == null || clock == null || fleet == null
        || recent == null || rollouts == null) {
      throw new IllegalArgumentException("the dashboard needs a store, users, traffic, a preview and a clock");
    }
  }

  /** Services without rollouts. */
  public DashboardServices(
      DtabStore store, UserStore users, TrafficView traffic, PreviewService preview, Clock clock,
      java.util.Optional<dev.turnout.web.fleet.Fleet> fleet,
      java.util.Optional<dev.turnout.tracing.RecentRequests> recent) {
    this(store, users, traffic, preview, clock, fleet, recent, java.util.Optional.empty());
  }

  /** Services without an io.l5d.recentRequests telemeter. */
  public DashboardServices(
      DtabStore store, UserStore users, TrafficView traffic, PreviewService preview, Clock clock,
      java.util.Optional<dev.turnout.web.fleet.Fleet> fleet) {
    this(store, users, traffic, preview, clock, fleet, java.util.Optional.empty());
  }

  /** Services without a fleet screen. */
  public DashboardServices(
      DtabStore store, UserStore users, TrafficView traffic, PreviewService preview, Clock clock) {
    this(store, users, traffic, preview, clock, java.util.Optional.empty());
  }
}
