package dev.turnout.web.rollout;

import dev.turnout.web.fleet.Fleet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Whether the fleet's live members route a namespace by a version yet. Stale members (silent past
 * {@link Fleet#STALE}) never block; they are named so the step's record says who was not counted.
 */
@FunctionalInterface
public interface Convergence {

  /** {@code waitingFor}: the live members still behind, as "instance (router on vN)". */
  record Seen(boolean converged, List<String> stale, List<String> waitingFor) {
    public Seen {
      stale = List.copyOf(stale);
      waitingFor = List.copyOf(waitingFor);
    }
  }

  Seen on(String namespace, long version);

  /** As the fleet view shows it; a namespace no proxy follows is converged at once. */
  static Convergence of(Supplier<Fleet.State> fleet) {
    return (namespace, version) -> {
      Fleet.State state = fleet.get();
      List<String> stale = new ArrayList<>();
      List<String> waiting = new ArrayList<>();
      for (Fleet.Convergence c : state.namespaces()) {
        if (!c.namespace().equals(namespace)) {
          continue;
        }
        for (Fleet.Behind b : c.behind()) {
          if (b.stale()) {
            stale.add(b.instance());
          } else if (b.version() < version) {
            waiting.add(b.instance() + " (" + b.router() + " on v" + b.version() + ")");
          }
        }
      }
      for (Fleet.Member m : state.members()) {
        if (m.stale() && !stale.contains(m.instance())
            && m.routers().stream().anyMatch(r -> namespace.equals(r.namespace()))) {
          stale.add(m.instance());
        }
      }
      return new Seen(waiting.isEmpty(), stale, waiting);
    };
  }
}
