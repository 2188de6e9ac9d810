package dev.turnout.naming;

import dev.turnout.naming.DelegateTree.Outcome;

/** {@link DelegateTree#outcome()}: the class of each node type, by the delegator's rules stated there. */
final class Outcomes implements DelegateTree.Visitor<Outcome> {
  static final Outcomes INSTANCE = new Outcomes();

  private Outcomes() {}

  @Override
  public Outcome delegate(DelegateTree.Delegate d) {
    return d.tree().accept(this);
  }

  @Override
  public Outcome alt(DelegateTree.Alt a) {
    for (DelegateTree member : a.trees()) {
      Outcome o = member.accept(this);
      if (o != Outcome.NEG) {
        return o;
      }
    }
    return Outcome.NEG;
  }

  @Override
  public Outcome union(DelegateTree.Union u) {
    boolean success = false;
    boolean empty = false;
    for (DelegateTree.Weighted w : u.trees()) {
      Outcome o = w.tree().accept(this);
      if (o == Outcome.FAIL) {
        return Outcome.FAIL;
      }
      success |= o == Outcome.SUCCESS;
      empty |= o == Outcome.EMPTY;
    }
    return success ? Outcome.SUCCESS : empty ? Outcome.EMPTY : Outcome.NEG;
  }

  @Override
  public Outcome leaf(DelegateTree.Leaf l) {
    return l.bound().addr().get() instanceof Addr.Neg ? Outcome.NEG : Outcome.SUCCESS;
  }

  @Override
  public Outcome neg(DelegateTree.Neg n) {
    return Outcome.NEG;
  }

  @Override
  public Outcome fail(DelegateTree.Fail f) {
    return Outcome.FAIL;
  }

  @Override
  public Outcome empty(DelegateTree.Empty e) {
    return Outcome.EMPTY;
  }

  @Override
  public Outcome exception(DelegateTree.Exception e) {
    return Outcome.FAIL;
  }

  @Override
  public Outcome transformation(DelegateTree.Transformation x) {
    return x.tree().accept(this);
  }
}
