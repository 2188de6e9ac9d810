package dev.turnout.web.editor;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The weight edits the editor offers on a draft's text: moving one union branch's slider (the others
 * rebalance so the union still sums to 100%) and starting a canary (a destination becomes a 100/0 union
 * with a new one). Each returns the new text, with only that dentry's destination rewritten.
 */
final class Unions {
  private Unions() {}

  /** Every union in the dtab, dentry by dentry, outer unions before the unions nested in them. */
  static List<UnionControl> find(Dtab dtab) {
    List<UnionControl> out = new ArrayList<>();
    for (int i = 0; i < dtab.size(); i++) {
      Dentry d = dtab.dentries().get(i);
      collect(d.prefix().show(), d.dst(), new UnionAddress(i, List.of()), out);
    }
    return out;
  }

  /**
   * Sets branch {@code branch} of the union at {@code at} to {@code percent} and rebalances the others.
   *
   * @throws IllegalArgumentException if the text is not a valid dtab or has no union there
   */
  static String setWeight(String text, UnionAddress at, int branch, int percent) {
    Dtab dtab = Dtab.read(text);
    NameTree<Path> dst = dentry(dtab, at.dentry()).dst();
    NameTree<Path> changed =
        replaceAt(
            dst,
            at.steps(),
            0,
            tree -> {
              if (!(tree instanceof NameTree.Union<Path> u)) {
                throw new IllegalArgumentException("there is no union at " + at.id());
              }
              List<Integer> now = Percentages.of(weights(u));
              List<Integer> next = Percentages.rebalance(now, branch, percent);
              List<NameTree.Weighted<Path>> branches = new ArrayList<>();
              for (int i = 0; i < next.size(); i++) {
                branches.add(new NameTree.Weighted<>(next.get(i) / 100.0, u.trees().get(i).tree()));
              }
              return new NameTree.Union<>(branches);
            });
    return DraftText.replaceDestination(text, at.dentry(), changed);
  }

  /**
   * Turns dentry {@code index}'s destination {@code d} into {@code d & 0.00*canary}: all traffic still
   * goes to {@code d}, and the new branch's slider is ready to move.
   */
  static String startCanary(String text, int index, Path canary) {
    Dtab dtab = Dtab.read(text);
    NameTree<Path> dst = dentry(dtab, index).dst();
    NameTree<Path> union =
        new NameTree.Union<>(
            List.of(
                new NameTree.Weighted<>(1.0, dst),
                new NameTree.Weighted<>(0.0, NameTree.leaf(canary))));
    return DraftText.replaceDestination(text, index, union);
  }

  private static Dentry dentry(Dtab dtab, int index) {
    if (index < 0 || index >= dtab.size()) {
      throw new IllegalArgumentException("the dtab has no dentry " + (index + 1));
    }
    return dtab.dentries().get(index);
  }

  private static void collect(
      String prefix, NameTree<Path> tree, UnionAddress at, List<UnionControl> out) {
    tree.accept(new Collector(prefix, at, out));
  }

  /** Adds the controls of one node's unions: its own first, then those nested in its members. */
  private record Collector(String prefix, UnionAddress at, List<UnionControl> out)
      implements NameTree.Visitor<Path, Void> {
    @Override
    public Void union(NameTree.Union<Path> u) {
      List<Integer> pct = Percentages.of(weights(u));
      List<UnionControl.Branch> branches = new ArrayList<>();
      for (int i = 0; i < u.trees().size(); i++) {
        branches.add(
            new UnionControl.Branch(
                "w-" + at.id() + "-" + i, i, u.trees().get(i).tree().show(), pct.get(i)));
      }
      out.add(new UnionControl(at.id(), prefix, branches));
      for (int i = 0; i < u.trees().size(); i++) {
        collect(prefix, u.trees().get(i).tree(), at.child(i), out);
      }
      return null;
    }

    @Override
    public Void alt(NameTree.Alt<Path> a) {
      for (int i = 0; i < a.trees().size(); i++) {
        collect(prefix, a.trees().get(i), at.child(i), out);
      }
      return null;
    }

    @Override
    public Void leaf(NameTree.Leaf<Path> leaf) {
      return null;
    }

    @Override
    public Void neg() {
      return null;
    }

    @Override
    public Void fail() {
      return null;
    }

    @Override
    public Void empty() {
      return null;
    }
  }

  private static List<Double> weights(NameTree.Union<Path> u) {
    List<Double> out = new ArrayList<>();
    for (NameTree.Weighted<Path> w : u.trees()) {
      out.add(w.weight());
    }
    return out;
  }

  private static NameTree<Path> replaceAt(
      NameTree<Path> tree, List<Integer> steps, int depth, UnaryOperator<NameTree<Path>> f) {
    if (depth == steps.size()) {
      return f.apply(tree);
    }
    return tree.accept(new Step(steps, depth, f));
  }

  /** One step down an address: into the Alt member or Union branch it names; a leaf has no members. */
  private record Step(List<Integer> steps, int depth, UnaryOperator<NameTree<Path>> f)
      implements NameTree.Visitor<Path, NameTree<Path>> {
    @Override
    public NameTree<Path> union(NameTree.Union<Path> u) {
      int step = steps.get(depth);
      if (step >= u.trees().size()) {
        return noMember();
      }
      List<NameTree.Weighted<Path>> branches = new ArrayList<>(u.trees());
      NameTree.Weighted<Path> w = branches.get(step);
      branches.set(step, new NameTree.Weighted<>(w.weight(), replaceAt(w.tree(), steps, depth + 1, f)));
      return new NameTree.Union<>(branches);
    }

    @Override
    public NameTree<Path> alt(NameTree.Alt<Path> a) {
      int step = steps.get(depth);
      if (step >= a.trees().size()) {
        return noMember();
      }
      List<NameTree<Path>> members = new ArrayList<>(a.trees());
      members.set(step, replaceAt(members.get(step), steps, depth + 1, f));
      return new NameTree.Alt<>(members);
    }

    @Override
    public NameTree<Path> leaf(NameTree.Leaf<Path> leaf) {
      return noMember();
    }

    @Override
    public NameTree<Path> neg() {
      return noMember();
    }

    @Override
    public NameTree<Path> fail() {
      return noMember();
    }

    @Override
    public NameTree<Path> empty() {
      return noMember();
    }

    private static NameTree<Path> noMember() {
      throw new IllegalArgumentException("the destination has no member at this address");
    }
  }
}
