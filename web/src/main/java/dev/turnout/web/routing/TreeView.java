package dev.turnout.web.routing;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.DelegateTree;
import dev.turnout.naming.NamerStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * A delegation tree ready to draw, following Linkerd's "preview resolution" (dtab.md §2.7): each node's
 * label, the name at it, the {@code prefix => dst} that produced it (a transformer's name for a
 * Transformation, empty at the root), its union weight, its bound id and endpoints, its outcome
 * ({@code success}, {@code neg} or {@code fail}, as {@link DelegateTree#outcome()} decides) and whether
 * it lies on the primary branch, the one traffic takes: {@link DelegateTree#primaryIndex} at each Alt,
 * every branch of a Union. A bound name also shows where its endpoints come from ({@code source}: the
 * namer's registry, last answer and last error) and whether they are {@code stale}.
 */
public record TreeView(
    String label,
    String path,
    String dentry,
    String weight,
    String bound,
    List<String> endpoints,
    String source,
    boolean stale,
    String outcome,
    boolean primary,
    List<TreeView> children) {

  public TreeView {
    endpoints = List.copyOf(endpoints);
    children = List.copyOf(children);
  }

  public static TreeView of(DelegateTree root) {
    return of(root, id -> Optional.empty());
  }

  /** The tree with each bound name's source, as {@code sources} tells it for the bound id. */
  public static TreeView of(DelegateTree root, Function<Path, Optional<NamerStatus>> sources) {
    return root.accept(new Node(Double.NaN, true, sources));
  }

  /** One node, drawn with the union weight it has under its parent (NaN if none) and its primacy. */
  private record Node(double weight, boolean primary, Function<Path, Optional<NamerStatus>> sources)
      implements DelegateTree.Visitor<TreeView> {

    private TreeView view(
        String label, DelegateTree t, String path, String dentry, String bound, List<String> endpoints,
        List<TreeView> children) {
      return view(label, t, path, dentry, bound, endpoints, Optional.empty(), children);
    }

    private TreeView view(
        String label, DelegateTree t, String path, String dentry, String bound, List<String> endpoints,
        Optional<NamerStatus> source, List<TreeView> children) {
      return new TreeView(
          label,
          path,
          dentry,
          Double.isNaN(weight) ? "" : String.format(Locale.ROOT, "%.2f", weight),
          bound,
          endpoints,
          source.map(SourceText::of).orElse(""),
          source.map(NamerStatus::stale).orElse(false),
          t.outcome().name().toLowerCase(Locale.ROOT),
          primary,
          children);
    }

    private TreeView view(String label, DelegateTree t, String path, List<TreeView> children) {
      return view(label, t, path, dentry(t.dentry()), "", List.of(), children);
    }

    /** A child that is not a union branch, on the primary branch when this node is. */
    private TreeView only(DelegateTree child) {
      return child.accept(new Node(Double.NaN, primary, sources));
    }

    @Override
    public TreeView delegate(DelegateTree.Delegate d) {
      return view("Possible Resolution Path", d, d.path().show(), List.of(only(d.tree())));
    }

    @Override
    public TreeView alt(DelegateTree.Alt a) {
      int first = DelegateTree.primaryIndex(a);
      List<TreeView> members = new ArrayList<>(a.trees().size());
      for (int i = 0; i < a.trees().size(); i++) {
        members.add(a.trees().get(i).accept(new Node(Double.NaN, primary && i == first, sources)));
      }
      return view("Several Possible Resolution Paths", a, a.path().show(), members);
    }

    @Override
    public TreeView union(DelegateTree.Union u) {
      List<TreeView> branches = new ArrayList<>(u.trees().size());
      for (DelegateTree.Weighted w : u.trees()) {
        branches.add(w.tree().accept(new Node(w.weight(), primary, sources)));
      }
      return view("Several Simultaneous Resolution Paths", u, u.path().show(), branches);
    }

    @Override
    public TreeView leaf(DelegateTree.Leaf l) {
      BoundName b = l.bound();
      String residual = b.residual().show();
      String bound = residual.isEmpty() || residual.equals("/")
          ? "[" + b.id().show() + "]"
          : "[" + b.id().show() + "] (residual: " + residual + ")";
      return view(
          "Bound Path", l, l.path().show(), dentry(l.dentry()), bound, endpoints(b.addr().get()),
          sources.apply(b.id()), List.of());
    }

    /** An explicit {@code ~} has no name and shows as {@code ~}. */
    @Override
    public TreeView neg(DelegateTree.Neg n) {
      return view("No Further Branch Matches", n, n.path().isEmpty() ? "~" : n.path().show(), List.of());
    }

    @Override
    public TreeView fail(DelegateTree.Fail f) {
      return view("Explicit Failure", f, f.path().isEmpty() ? "!" : f.path().show(), List.of());
    }

    @Override
    public TreeView empty(DelegateTree.Empty e) {
      return view("No Endpoints", e, e.path().isEmpty() ? "$" : e.path().show(), List.of());
    }

    @Override
    public TreeView exception(DelegateTree.Exception e) {
      return view("Exception: " + e.message(), e, e.path().show(), List.of());
    }

    /**
     * Shows the transformer's name where other nodes show their dentry, and the name as it was before
     * (its id and endpoints) above what it became, as Linkerd's delegator draws it; {@code io.l5d.const}
     * has no name before.
     */
    @Override
    public TreeView transformation(DelegateTree.Transformation x) {
      String before = x.bound().map(b -> "[" + b.id().show() + "]").orElse("");
      List<String> endpoints = x.bound().map(b -> endpoints(b.addr().get())).orElse(List.of());
      return view("Transformation", x, x.path().show(), x.name(), before, endpoints, List.of(only(x.tree())));
    }
  }

  /** {@code prefix => dst}, or nothing for the root's no-op dentry. */
  private static String dentry(Dentry d) {
    return d.equals(DelegateTree.NOP) ? "" : d.prefix().show() + " => " + d.dst().show();
  }

  /** The endpoints as {@code host:port}, or a word on why there are none to list. */
  private static List<String> endpoints(Addr addr) {
    List<String> out = new ArrayList<>();
    if (addr instanceof Addr.Bound b) {
      for (Address a : b.addresses()) {
        out.add(a.hostPort());
      }
    } else if (addr instanceof Addr.Failed f) {
      out.add("failed: " + f.message());
    } else if (addr instanceof Addr.Pending) {
      out.add("pending");
    }
    return out;
  }
}
