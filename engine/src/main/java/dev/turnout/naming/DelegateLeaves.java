package dev.turnout.naming;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Rewriting a delegation tree at its leaves, for transformers: every other node keeps its place,
 * path and dentry, and a Transformation already there is descended into, so a second transformer
 * rewrites what the first produced (Linkerd's {@code DelegateTree.flatMap}).
 */
final class DelegateLeaves implements DelegateTree.Visitor<DelegateTree> {
  private final Function<DelegateTree.Leaf, DelegateTree> rewrite;

  private DelegateLeaves(Function<DelegateTree.Leaf, DelegateTree> rewrite) {
    this.rewrite = rewrite;
  }

  /** {@code tree} with each leaf replaced by {@code rewrite} of it. */
  static DelegateTree replace(DelegateTree tree, Function<DelegateTree.Leaf, DelegateTree> rewrite) {
    return tree.accept(new DelegateLeaves(rewrite));
  }

  /**
   * A bound tree as delegation nodes reached through {@code dentry} (Linkerd's {@code
   * fromNameTree}): each leaf at its bound id; a Neg shows as {@code ~}, with no name.
   */
  static DelegateTree of(Path path, Dentry dentry, NameTree<BoundName> tree) {
    return tree.accept(
        new NameTree.Visitor<BoundName, DelegateTree>() {
          @Override
          public DelegateTree leaf(NameTree.Leaf<BoundName> leaf) {
            return new DelegateTree.Leaf(leaf.value().id(), dentry, leaf.value());
          }

          @Override
          public DelegateTree alt(NameTree.Alt<BoundName> alt) {
            List<DelegateTree> members = new ArrayList<>(alt.trees().size());
            alt.trees().forEach(t -> members.add(t.accept(this)));
            return new DelegateTree.Alt(path, dentry, members);
          }

          @Override
          public DelegateTree union(NameTree.Union<BoundName> union) {
            List<DelegateTree.Weighted> branches = new ArrayList<>(union.trees().size());
            union.trees().forEach(w -> branches.add(new DelegateTree.Weighted(w.weight(), w.tree().accept(this))));
            return new DelegateTree.Union(path, dentry, branches);
          }

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
        });
  }

  @Override
  public DelegateTree delegate(DelegateTree.Delegate d) {
    return new DelegateTree.Delegate(d.path(), d.dentry(), d.tree().accept(this));
  }

  @Override
  public DelegateTree alt(DelegateTree.Alt a) {
    List<DelegateTree> members = new ArrayList<>(a.trees().size());
    a.trees().forEach(t -> members.add(t.accept(this)));
    return new DelegateTree.Alt(a.path(), a.dentry(), members);
  }

  @Override
  public DelegateTree union(DelegateTree.Union u) {
    List<DelegateTree.Weighted> branches = new ArrayList<>(u.trees().size());
    u.trees().forEach(w -> branches.add(new DelegateTree.Weighted(w.weight(), w.tree().accept(this))));
    return new DelegateTree.Union(u.path(), u.dentry(), branches);
  }

  @Override
  public DelegateTree leaf(DelegateTree.Leaf l) {
    return rewrite.apply(l);
  }

  @Override
  public DelegateTree neg(DelegateTree.Neg n) {
    return n;
  }

  @Override
  public DelegateTree fail(DelegateTree.Fail f) {
    return f;
  }

  @Override
  public DelegateTree empty(DelegateTree.Empty e) {
    return e;
  }

  @Override
  public DelegateTree exception(DelegateTree.Exception e) {
    return e;
  }

  @Override
  public DelegateTree transformation(DelegateTree.Transformation x) {
    return new DelegateTree.Transformation(x.path(), x.name(), x.bound(), x.tree().accept(this));
  }
}
