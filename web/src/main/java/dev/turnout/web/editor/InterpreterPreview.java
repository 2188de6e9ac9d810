package dev.turnout.web.editor;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.DelegateTree;
import dev.turnout.naming.Interpreter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The preview as routing sees it: the draft is delegated by the same {@link Interpreter} (the same
 * namers, with their live endpoint sets) that the routers use, followed, as a router's base dtab is, by
 * the router's own configured dtab when it has one.
 */
public final class InterpreterPreview implements PreviewService {
  private final Interpreter interpreter;
  private final Function<String, Dtab> routerDtab;

  /**
   * @param routerDtab the dtab configured on the router that follows a namespace, appended after the
   *     draft ({@link Dtab#EMPTY} when none)
   */
  public InterpreterPreview(Interpreter interpreter, Function<String, Dtab> routerDtab) {
    this.interpreter = interpreter;
    this.routerDtab = routerDtab;
  }

  public InterpreterPreview(Interpreter interpreter) {
    this(interpreter, ns -> Dtab.EMPTY);
  }

  @Override
  public DelegationNode delegate(String namespace, Dtab dtab, Path path) {
    try {
      return node(interpreter.delegate(dtab.concat(routerDtab.apply(namespace)), path));
    } catch (RuntimeException e) {
      return DelegationNode.exception(path.show(), "", String.valueOf(e.getMessage()));
    }
  }

  private static DelegationNode node(DelegateTree t) {
    String path = t.path().isEmpty() && t instanceof DelegateTree.Neg ? "~" : t.path().show();
    String dentry = dentry(t.dentry());
    if (t instanceof DelegateTree.Delegate d) {
      return DelegationNode.delegate(path, dentry, node(d.tree()));
    } else if (t instanceof DelegateTree.Alt a) {
      List<DelegationNode> members = new ArrayList<>();
      for (DelegateTree m : a.trees()) {
        members.add(node(m));
      }
      return DelegationNode.alt(path, dentry, members);
    } else if (t instanceof DelegateTree.Union u) {
      List<DelegationNode.Child> branches = new ArrayList<>();
      for (DelegateTree.Weighted w : u.trees()) {
        branches.add(new DelegationNode.Child(w.weight(), node(w.tree())));
      }
      return DelegationNode.union(path, dentry, branches);
    } else if (t instanceof DelegateTree.Leaf l) {
      return leaf(path, dentry, l.bound());
    } else if (t instanceof DelegateTree.Neg) {
      return DelegationNode.terminal(DelegationNode.Kind.NEG, path, dentry);
    } else if (t instanceof DelegateTree.Fail) {
      return DelegationNode.terminal(DelegationNode.Kind.FAIL, path.equals("/") ? "!" : path, dentry);
    } else if (t instanceof DelegateTree.Empty) {
      return DelegationNode.terminal(DelegationNode.Kind.EMPTY, path.equals("/") ? "$" : path, dentry);
    } else if (t instanceof DelegateTree.Exception e) {
      return DelegationNode.exception(path, dentry, e.message());
    }
    DelegateTree.Transformation x = (DelegateTree.Transformation) t;
    return new DelegationNode(
        DelegationNode.Kind.TRANSFORMATION, path, x.name(),
        List.of(new DelegationNode.Child(Double.NaN, node(x.tree()))), "", "", List.of(), false, "");
  }

  private static DelegationNode leaf(String path, String dentry, BoundName bound) {
    Addr addr = bound.addr().get();
    List<String> endpoints = new ArrayList<>();
    if (addr instanceof Addr.Bound b) {
      for (Address a : b.addresses()) {
        endpoints.add(a.hostPort());
      }
    } else if (addr instanceof Addr.Failed f) {
      endpoints.add("failed: " + f.message());
    } else if (addr instanceof Addr.Pending) {
      endpoints.add("pending");
    }
    return DelegationNode.leaf(
        path, dentry, bound.id().show(), bound.residual().show(), endpoints, addr instanceof Addr.Neg);
  }

  private static String dentry(Dentry d) {
    return d == DelegateTree.NOP || d.equals(DelegateTree.NOP) ? "" : d.prefix().show() + " => " + d.dst().show();
  }
}
