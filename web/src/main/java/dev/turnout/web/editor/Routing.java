package dev.turnout.web.editor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a delegation tree sends requests, as the share (0-1) each bound id receives: an Alt takes its
 * first alternative that is not neg, a Union splits by weight among its branches that are neither neg
 * nor fail (as binding simplifies it; all-zero weights split evenly), and what cannot be routed is
 * counted under {@link #NO_ROUTE}. A destination the name binds to with weight 0 (a canary not yet
 * started) is listed with share 0, since it is one of the name's destinations all the same.
 */
public final class Routing {
  public static final String NO_ROUTE = "(no route)";

  private Routing() {}

  public static Map<String, Double> shares(DelegationNode root) {
    Map<String, Double> out = new LinkedHashMap<>();
    walk(root, 1.0, out);
    return out;
  }

  private static void walk(DelegationNode n, double p, Map<String, Double> out) {
    switch (n.kind()) {
      case LEAF:
        if (!n.addrNeg()) {
          out.merge(n.boundId(), p, Double::sum);
        } else if (p > 0) {
          out.merge(NO_ROUTE, p, Double::sum);
        }
        return;
      case DELEGATE:
      case TRANSFORMATION:
        if (n.children().isEmpty()) {
          noRoute(p, out);
        } else {
          walk(n.children().get(0).node(), p, out);
        }
        return;
      case ALT:
        for (DelegationNode.Child c : n.children()) {
          if (!TreeView.outcome(c.node()).equals("neg")) {
            walk(c.node(), p, out);
            return;
          }
        }
        noRoute(p, out);
        return;
      case UNION:
        double sum = 0;
        int live = 0;
        for (DelegationNode.Child c : n.children()) {
          if (routable(c.node())) {
            sum += c.weight();
            live++;
          }
        }
        if (live == 0) {
          noRoute(p, out);
          return;
        }
        for (DelegationNode.Child c : n.children()) {
          if (routable(c.node())) {
            walk(c.node(), sum > 0 ? p * c.weight() / sum : p / live, out);
          }
        }
        return;
      default:
        noRoute(p, out);
    }
  }

  private static void noRoute(double p, Map<String, Double> out) {
    if (p > 0) {
      out.merge(NO_ROUTE, p, Double::sum);
    }
  }

  private static boolean routable(DelegationNode n) {
    String o = TreeView.outcome(n);
    return !o.equals("neg") && !o.equals("fail") || n.kind() == DelegationNode.Kind.EMPTY;
  }
}
