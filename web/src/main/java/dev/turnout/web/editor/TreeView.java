package dev.turnout.web.editor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A delegation tree ready to draw, following Linkerd's "preview resolution" (dtab.md §2.7): each node's
 * label, the {@code prefix => dst} that produced it, its union weight, its endpoints, its outcome
 * ({@code success}, {@code neg} or {@code fail}) and whether it lies on the primary branch, the one
 * traffic takes: the first alternative that is not neg at each Alt, every branch of a Union.
 */
public record TreeView(
    String label,
    String path,
    String dentry,
    String weight,
    String bound,
    List<String> endpoints,
    String outcome,
    boolean primary,
    List<TreeView> children) {

  public TreeView {
    endpoints = List.copyOf(endpoints);
    children = List.copyOf(children);
  }

  public static TreeView of(DelegationNode root) {
    return view(root, Double.NaN, true);
  }

  /** {@code success}, {@code neg} or {@code fail}, by the rules of Linkerd's delegator. */
  static String outcome(DelegationNode n) {
    switch (n.kind()) {
      case LEAF:
        return n.addrNeg() ? "neg" : "success";
      case NEG:
      case EMPTY:
        return "neg";
      case FAIL:
      case EXCEPTION:
        return "fail";
      case ALT:
        for (DelegationNode.Child c : n.children()) {
          String o = outcome(c.node());
          if (!o.equals("neg")) {
            return o;
          }
        }
        return "neg";
      case UNION:
        boolean success = false;
        for (DelegationNode.Child c : n.children()) {
          String o = outcome(c.node());
          if (o.equals("fail")) {
            return "fail";
          }
          success |= o.equals("success");
        }
        return success ? "success" : "neg";
      default:
        return n.children().isEmpty() ? "neg" : outcome(n.children().get(0).node());
    }
  }

  static String label(DelegationNode n) {
    switch (n.kind()) {
      case DELEGATE:
        return "Possible Resolution Path";
      case ALT:
        return "Several Possible Resolution Paths";
      case UNION:
        return "Several Simultaneous Resolution Paths";
      case LEAF:
        return "Bound Path";
      case TRANSFORMATION:
        return "Transformation";
      case NEG:
        return "No Further Branch Matches";
      case FAIL:
        return "Explicit Failure";
      case EMPTY:
        return "No Endpoints";
      default:
        return "Exception: " + n.message();
    }
  }

  private static TreeView view(DelegationNode n, double weight, boolean primary) {
    List<TreeView> children = new ArrayList<>();
    boolean primaryTaken = false;
    for (DelegationNode.Child c : n.children()) {
      boolean childPrimary;
      if (n.kind() == DelegationNode.Kind.ALT) {
        childPrimary = primary && !primaryTaken && !outcome(c.node()).equals("neg");
        primaryTaken |= childPrimary;
      } else {
        childPrimary = primary;
      }
      children.add(view(c.node(), c.weight(), childPrimary));
    }
    String bound = "";
    if (n.kind() == DelegationNode.Kind.LEAF) {
      bound = n.residual().isEmpty() || n.residual().equals("/")
          ? "[" + n.boundId() + "]"
          : "[" + n.boundId() + "] (residual: " + n.residual() + ")";
    }
    return new TreeView(
        label(n),
        n.path(),
        n.dentry(),
        Double.isNaN(weight) ? "" : String.format(Locale.ROOT, "%.2f", weight),
        bound,
        n.endpoints(),
        outcome(n),
        primary,
        children);
  }
}
