package dev.turnout.naming;

import dev.turnout.dtab.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a delegation tree sends requests: the share (0 to 1) each bound id receives, in the order the
 * tree reaches them, and the share that reaches no destination. The projection follows {@link
 * DelegateTree#outcome()}: an Alt sends everything to its primary member ({@link
 * DelegateTree#primaryIndex}); a Union splits by weight among its branches that succeed or are Empty
 * (as binding keeps them), evenly when those weights are all zero; a Leaf whose endpoint set is Neg, and
 * Neg, Fail, Empty and Exception nodes, route nothing. A destination reached with share 0 (a canary not
 * yet started) is listed all the same, since the name binds to it.
 *
 * <p>Example: {@code /svc/users => 0.7 * /#/io.l5d.fs/users & 0.3 * /#/io.l5d.fs/v2} gives {@code
 * {/#/io.l5d.fs/users=0.7, /#/io.l5d.fs/v2=0.3}} and nothing unrouted.
 *
 * @param destinations each bound id's share, in the order the tree reaches them
 * @param unrouted the share no destination receives
 */
public record TrafficShares(Map<Path, Double> destinations, double unrouted) {

  public TrafficShares {
    for (double share : destinations.values()) {
      if (!(share >= 0)) {
        throw new IllegalArgumentException("a share must be a number >= 0, not " + share);
      }
    }
    if (!(unrouted >= 0)) {
      throw new IllegalArgumentException("the unrouted share must be a number >= 0, not " + unrouted);
    }
    destinations = Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
  }

  /** The projection of {@code tree}, whose root receives all traffic. */
  public static TrafficShares of(DelegateTree tree) {
    Walk walk = new Walk();
    walk.visit(tree, 1.0);
    return new TrafficShares(walk.destinations, walk.unrouted);
  }

  /** Hands a node's share {@code p} down the tree, adding what arrives at each destination. */
  private static final class Walk {
    private final Map<Path, Double> destinations = new LinkedHashMap<>();
    private double unrouted;

    void visit(DelegateTree node, double p) {
      node.accept(new At(p));
    }

    private void noRoute(double p) {
      unrouted += p;
    }

    /** One node receiving share {@code p}. */
    private final class At implements DelegateTree.Visitor<Void> {
      private final double p;

      At(double p) {
        this.p = p;
      }

      @Override
      public Void delegate(DelegateTree.Delegate d) {
        visit(d.tree(), p);
        return null;
      }

      @Override
      public Void alt(DelegateTree.Alt a) {
        int primary = DelegateTree.primaryIndex(a);
        if (primary < 0) {
          noRoute(p);
        } else {
          visit(a.trees().get(primary), p);
        }
        return null;
      }

      @Override
      public Void union(DelegateTree.Union u) {
        double sum = 0;
        int live = 0;
        for (DelegateTree.Weighted w : u.trees()) {
          if (routable(w.tree())) {
            sum += w.weight();
            live++;
          }
        }
        if (live == 0) {
          noRoute(p);
          return null;
        }
        for (DelegateTree.Weighted w : u.trees()) {
          if (routable(w.tree())) {
            visit(w.tree(), sum > 0 ? p * w.weight() / sum : p / live);
          }
        }
        return null;
      }

      @Override
      public Void leaf(DelegateTree.Leaf l) {
        if (l.bound().addr().get() instanceof Addr.Neg) {
          noRoute(p);
        } else {
          destinations.merge(l.bound().id(), p, Double::sum);
        }
        return null;
      }

      @Override
      public Void neg(DelegateTree.Neg n) {
        noRoute(p);
        return null;
      }

      @Override
      public Void fail(DelegateTree.Fail f) {
        noRoute(p);
        return null;
      }

      @Override
      public Void empty(DelegateTree.Empty e) {
        noRoute(p);
        return null;
      }

      @Override
      public Void exception(DelegateTree.Exception e) {
        noRoute(p);
        return null;
      }

      @Override
      public Void transformation(DelegateTree.Transformation x) {
        visit(x.tree(), p);
        return null;
      }
    }
  }

  /** A union branch that takes its share: one that succeeds, or an Empty, which binding keeps too. */
  private static boolean routable(DelegateTree branch) {
    DelegateTree.Outcome o = branch.outcome();
    return o == DelegateTree.Outcome.SUCCESS || o == DelegateTree.Outcome.EMPTY;
  }
}
