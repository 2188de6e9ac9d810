package dev.turnout.web.routing;

import dev.turnout.naming.DelegateTree;
import dev.turnout.naming.TrafficShares;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The engine's {@link TrafficShares} as the pages list them: each destination by its bound id, in the
 * order the tree reaches them, then what reaches none under {@link #NO_ROUTE} when there is any.
 */
public final class Projection {
  /** The row of traffic that reaches no destination. */
  public static final String NO_ROUTE = "(no route)";

  private Projection() {}

  /** Each destination's share (0 to 1) of the traffic that enters {@code tree}. */
  public static Map<String, Double> shares(DelegateTree tree) {
    TrafficShares projected = TrafficShares.of(tree);
    Map<String, Double> out = new LinkedHashMap<>();
    projected.destinations().forEach((id, share) -> out.put(id.show(), share));
    if (projected.unrouted() > 0) {
      out.put(NO_ROUTE, projected.unrouted());
    }
    return out;
  }
}
