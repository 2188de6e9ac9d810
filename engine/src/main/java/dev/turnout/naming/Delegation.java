package dev.turnout.naming;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link DelegateTree} as Linkerd's interpreter does: each lookup step records the dentries that
 * matched (last first), every alternative is followed, namers are asked only when no dentry matched, and
 * a failing lookup becomes an Exception node.
 */
final class Delegation {
  static final String MAX_DEPTH_MESSAGE = "Max recursion level reached.";

  private final Interpreter interpreter;
  private final Dtab dtab;

  Delegation(Interpreter interpreter, Dtab dtab) {
    this.interpreter = interpreter;
    this.dtab = dtab;
  }

  /**
   * One lookup of {@code path}, reached through {@code dentry} at {@code depth}: the matching dentries'
   * destinations (with the rest of the path appended), or the namers' answer when none matched; what
   * comes back is expanded at {@code depth + 1}.
   */
  DelegateTree lookup(Dentry dentry, Path path, int depth) {
    int next = depth + 1;
    if (next > Interpreter.MAX_DEPTH) {
      return new DelegateTree.Exception(path, dentry, MAX_DEPTH_MESSAGE);
    }
    List<DelegateTree> matches = new ArrayList<>(2);
    List<Dentry> dentries = dtab.dentries();
    for (int i = dentries.size() - 1; i >= 0; i--) {
      Dentry d = dentries.get(i);
      if (d.prefix().matches(path)) {
        Path rest = path.drop(d.prefix().size());
        NameTree<Name> dst = d.dst().map(p -> (Name) new Name.Unbound(p.concat(rest)));
        matches.add(expand(path, d, dst, next));
      }
    }
    if (matches.size() == 1) {
      return new DelegateTree.Delegate(path, dentry, matches.get(0));
    }
    if (matches.size() > 1) {
      return new DelegateTree.Alt(path, dentry, matches);
    }
    NameTree<Name> fromNamers;
    try {
      fromNamers = interpreter.lookupNamers(path);
    } catch (RuntimeException e) {
      return new DelegateTree.Exception(path, dentry, message(e));
    }
    if (fromNamers instanceof NameTree.Neg<Name>) {
      return new DelegateTree.Neg(path, dentry);
    }
    return expand(path, dentry, fromNamers, next);
  }

  /** A looked-up tree as delegate nodes for {@code path}, each unbound leaf looked up in turn. */
  private DelegateTree expand(Path path, Dentry dentry, NameTree<Name> tree, int depth) {
    return tree.accept(new Expansion(path, dentry, depth));
  }

  /** One looked-up tree's nodes, all reached from {@code path} through {@code dentry}. */
  private final class Expansion implements NameTree.Visitor<Name, DelegateTree> {
    private final Path path;
    private final Dentry dentry;
    private final int depth;

    Expansion(Path path, Dentry dentry, int depth) {
      this.path = path;
      this.dentry = dentry;
      this.depth = depth;
    }

    @Override
    public DelegateTree leaf(NameTree.Leaf<Name> leaf) {
      if (leaf.value() instanceof Name.Resolved r) {
        return new DelegateTree.Leaf(path, dentry, r.bound());
      }
      return lookup(dentry, ((Name.Unbound) leaf.value()).path(), depth);
    }

    @Override
    public DelegateTree alt(NameTree.Alt<Name> alt) {
      if (alt.trees().isEmpty()) {
        return new DelegateTree.Neg(path, dentry);
      }
      if (alt.trees().size() == 1) {
        return new DelegateTree.Delegate(path, dentry, alt.trees().get(0).accept(this));
      }
      List<DelegateTree> members = new ArrayList<>(alt.trees().size());
      for (NameTree<Name> member : alt.trees()) {
        members.add(member.accept(this));
      }
      return new DelegateTree.Alt(path, dentry, members);
    }

    @Override
    public DelegateTree union(NameTree.Union<Name> union) {
      if (union.trees().isEmpty()) {
        return new DelegateTree.Neg(path, dentry);
      }
      if (union.trees().size() == 1) {
        return new DelegateTree.Delegate(path, dentry, union.trees().get(0).tree().accept(this));
      }
      List<DelegateTree.Weighted> branches = new ArrayList<>(union.trees().size());
      for (NameTree.Weighted<Name> w : union.trees()) {
        branches.add(new DelegateTree.Weighted(w.weight(), w.tree().accept(this)));
      }
      return new DelegateTree.Union(path, dentry, branches);
    }

    /** An explicit {@code ~} carries no name: Linkerd shows its path as empty ("~"). */
    @Override
    public DelegateTree neg() {
      return new DelegateTree.Neg(Path.EMPTY, dentry);
    }

    @Override
    public DelegateTree fail() {
      return new DelegateTree.Fail(path, dentry);
    }

    @Override
    public DelegateTree empty() {
      return new DelegateTree.Empty(path, dentry);
    }
  }

  static String message(RuntimeException e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
