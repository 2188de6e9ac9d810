package dev.turnout.web.rollout;

import dev.turnout.metrics.TrafficView;
import java.util.Optional;

/**
 * Where the driver reads a destination's live figures: the requests a namespace's routers sent to
 * {@code destination} for services under {@code service}, over the figures' own recent window (10 s
 * for {@link TrafficView}). Empty when no router has sent any there.
 */
@FunctionalInterface
public interface Figures {
  Optional<TrafficView.Stats> of(String namespace, String service, String destination);

  /** The fleet's figures: {@code view} is the control plane's {@code FleetTraffic}. */
  static Figures of(TrafficView view) {
    return (namespace, service, destination) -> {
      long requests = 0;
      long failures = 0;
      double p99 = -1;
      boolean any = false;
      for (TrafficView.RouterTraffic r : view.routers()) {
        if (!namespace.equals(r.namespace())) {
          continue;
        }
        for (TrafficView.ServiceTraffic s : r.services()) {
          if (!under(s.service(), service)) {
            continue;
          }
          for (TrafficView.ClientTraffic c : s.clients()) {
            if (!under(c.client(), destination)) {
              continue;
            }
            any = true;
            requests += c.stats().requests();
            failures += c.stats().failures();
            if (!Double.isNaN(c.stats().p99Millis())) {
              p99 = Math.max(p99, c.stats().p99Millis());
            }
          }
        }
      }
      if (!any) {
        return Optional.empty();
      }
      double success = requests == 0 ? Double.NaN : 1.0 - (double) failures / requests;
      return Optional.of(new TrafficView.Stats(0, success, Double.NaN, p99 < 0 ? Double.NaN : p99, requests,
          Math.min(failures, requests), 0));
    };
  }

  /** {@code name} is {@code path} or a name beneath it. */
  private static boolean under(String name, String path) {
    return name != null && (name.equals(path) || name.startsWith(path.endsWith("/") ? path : path + "/"));
  }
}
