package dev.turnout.naming;

import dev.turnout.dtab.Dentry;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link DelegateTree#simplified()}, node type by node type, as Linkerd simplifies a delegation tree:
 * the rules are stated there. Terminal nodes and Transformations are already simple.
 */
final class Simplification implements DelegateTree.Visitor<DelegateTree> {
  static final Simplification INSTANCE = new Simplification();

  private Simplification() {}

  @Override
  public DelegateTree delegate(DelegateTree.Delegate d) {
    DelegateTree child = d.tree().simplified();
    boolean terminal =
        child instanceof DelegateTree.Neg
            || child instanceof DelegateTree.Fail
            || child instanceof DelegateTree.Empty;
    if (!terminal && child.path().equals(d.path())) {
      return child.withDentry(d.dentry());
    }
    return new DelegateTree.Delegate(d.path(), d.dentry(), child);
  }

  @Override
  public DelegateTree alt(DelegateTree.Alt a) {
    if (a.trees().isEmpty()) {
      return new DelegateTree.Neg(a.path(), a.dentry());
    }
    if (a.trees().size() == 1) {
      return new DelegateTree.Delegate(a.path(), a.dentry(), a.trees().get(0)).simplified();
    }
    List<DelegateTree> members = new ArrayList<>(a.trees().size());
    for (DelegateTree member : a.trees()) {
      DelegateTree s = member.simplified();
      if (s instanceof DelegateTree.Alt inner && inner.path().equals(a.path())) {
        members.addAll(inner.trees());
      } else {
        members.add(s);
      }
    }
    return new DelegateTree.Alt(a.path(), a.dentry(), members);
  }

  @Override
  public DelegateTree union(DelegateTree.Union u) {
    if (u.trees().isEmpty()) {
      return new DelegateTree.Neg(u.path(), u.dentry());
    }
    if (u.trees().size() == 1) {
      return new DelegateTree.Delegate(u.path(), u.dentry(), u.trees().get(0).tree()).simplified();
    }
    List<DelegateTree.Weighted> branches = new ArrayList<>(u.trees().size());
    for (DelegateTree.Weighted w : u.trees()) {
      branches.add(new DelegateTree.Weighted(w.weight(), w.tree().simplified()));
    }
    return new DelegateTree.Union(u.path(), u.dentry(), branches);
  }

  @Override
  public DelegateTree leaf(DelegateTree.Leaf l) {
    return l;
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
    return x;
  }

  /** {@link DelegateTree#withDentry}: the same node produced by another dentry. */
  static final class Redentry implements DelegateTree.Visitor<DelegateTree> {
    private final Dentry dentry;

    Redentry(Dentry dentry) {
      this.dentry = dentry;
    }

    @Override
    public DelegateTree delegate(DelegateTree.Delegate d) {
      return new DelegateTree.Delegate(d.path(), dentry, d.tree());
    }

    @Override
    public DelegateTree alt(DelegateTree.Alt a) {
      return new DelegateTree.Alt(a.path(), dentry, a.trees());
    }

    @Override
    public DelegateTree union(DelegateTree.Union u) {
      return new DelegateTree.Union(u.path(), dentry, u.trees());
    }

    @Override
    public DelegateTree leaf(DelegateTree.Leaf l) {
      return new DelegateTree.Leaf(l.path(), dentry, l.bound());
    }

    @Override
    public DelegateTree neg(DelegateTree.Neg n) {
      return new DelegateTree.Neg(n.path(), dentry);
    }

    @Override
    public DelegateTree fail(DelegateTree.Fail f) {
      return new DelegateTree.Fail(f.path(), dentry);
    }

    @Override
    public DelegateTree empty(DelegateTree.Empty e) {
      return new DelegateTree.Empty(e.path(), dentry);
    }

    @Override
    public DelegateTree exception(DelegateTree.Exception e) {
      return new DelegateTree.Exception(e.path(), dentry, e.message());
    }

    /** A transformer, not a dentry, produced it: it keeps none. */
    @Override
    public DelegateTree transformation(DelegateTree.Transformation x) {
      return x;
    }
  }
}
