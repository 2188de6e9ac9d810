package dev.turnout.web.editor;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A preview that delegates through the dtab alone and asks no namer: a name under {@code /#/} or
 * {@code /$/} counts as bound, to itself ({@code /$/inet/HOST/PORT} with that one endpoint, {@code
 * /$/fail} failing, {@code /$/nil} empty). It shows which dentries a name goes through and how a union
 * splits traffic, but not whether a namer knows the name; the real interpreter does that.
 */
public final class DtabOnlyPreview implements PreviewService {
  private static final int MAX_DEPTH = 100;

  @Override
  public DelegationNode delegate(String namespace, Dtab dtab, Path path) {
    return name(dtab, path, "", 0);
  }

  private DelegationNode name(Dtab dtab, Path path, String dentry, int depth) {
    String shown = path.show();
    if (depth > MAX_DEPTH) {
      return DelegationNode.exception(shown, dentry, "Max recursion level reached.");
    }
    if (path.size() > 0 && (path.label(0).equals("#") || path.label(0).equals("$"))) {
      return bound(path, dentry);
    }
    List<DelegationNode> matches = new ArrayList<>();
    List<Dentry> dentries = dtab.dentries();
    for (int i = dentries.size() - 1; i >= 0; i--) {
      Dentry d = dentries.get(i);
      if (d.prefix().matches(path)) {
        Path rest = path.drop(d.prefix().size());
        NameTree<Path> dst = rest.isEmpty() ? d.dst() : d.dst().map(p -> p.concat(rest));
        matches.add(tree(dtab, dst, d.prefix().show() + " => " + d.dst().show(), depth + 1));
      }
    }
    if (matches.isEmpty()) {
      return DelegationNode.terminal(DelegationNode.Kind.NEG, shown, dentry);
    }
    DelegationNode child =
        matches.size() == 1 ? matches.get(0) : DelegationNode.alt(shown, "", matches);
    return DelegationNode.delegate(shown, dentry, child);
  }

  private DelegationNode tree(Dtab dtab, NameTree<Path> t, String dentry, int depth) {
    if (t instanceof NameTree.Leaf<Path> l) {
      return name(dtab, l.value(), dentry, depth);
    } else if (t instanceof NameTree.Alt<Path> a) {
      List<DelegationNode> members = new ArrayList<>();
      for (NameTree<Path> m : a.trees()) {
        members.add(tree(dtab, m, dentry, depth));
      }
      return DelegationNode.alt(t.show(), dentry, members);
    } else if (t instanceof NameTree.Union<Path> u) {
      List<DelegationNode.Child> branches = new ArrayList<>();
      for (NameTree.Weighted<Path> w : u.trees()) {
        branches.add(new DelegationNode.Child(w.weight(), tree(dtab, w.tree(), dentry, depth)));
      }
      return DelegationNode.union(t.show(), dentry, branches);
    } else if (t instanceof NameTree.Neg<Path>) {
      return DelegationNode.terminal(DelegationNode.Kind.NEG, "~", dentry);
    } else if (t instanceof NameTree.Fail<Path>) {
      return DelegationNode.terminal(DelegationNode.Kind.FAIL, "!", dentry);
    }
    return DelegationNode.terminal(DelegationNode.Kind.EMPTY, "$", dentry);
  }

  private static DelegationNode bound(Path path, String dentry) {
    String shown = path.show();
    if (path.size() >= 2 && path.label(0).equals("$") && path.label(1).equals("fail")) {
      return DelegationNode.terminal(DelegationNode.Kind.FAIL, shown, dentry);
    }
    if (path.size() >= 2 && path.label(0).equals("$") && path.label(1).equals("nil")) {
      return DelegationNode.terminal(DelegationNode.Kind.EMPTY, shown, dentry);
    }
    if (path.size() >= 4 && path.label(0).equals("$") && path.label(1).equals("inet")) {
      Path id = path.take(4);
      return DelegationNode.leaf(
          shown, dentry, id.show(), path.drop(4).show(), List.of(path.label(2) + ":" + path.label(3)), false);
    }
    return DelegationNode.leaf(shown, dentry, shown, "/", List.of(), false);
  }
}
