package dev.turnout.dtab;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@link NameTree#eval()}: an evaluation ends in a set of names (in tree order), in Neg, or in Fail.
 */
final class Evaluation<T> {
  private static final Evaluation<?> NEG = new Evaluation<>(null, false);
  private static final Evaluation<?> FAIL = new Evaluation<>(null, true);

  private final Set<T> names;
  private final boolean failed;

  private Evaluation(Set<T> names, boolean failed) {
    this.names = names;
    this.failed = failed;
  }

  /** The names, or null for Neg and Fail. */
  Set<T> names() {
    return names;
  }

  static <T> Evaluation<T> eval(NameTree<T> tree) {
    return tree.accept(new Evaluator<>());
  }

  @SuppressWarnings("unchecked")
  private static <T> Evaluation<T> neg() {
    return (Evaluation<T>) NEG;
  }

  @SuppressWarnings("unchecked")
  private static <T> Evaluation<T> failed() {
    return (Evaluation<T>) FAIL;
  }

  private static final class Evaluator<T> implements NameTree.Visitor<T, Evaluation<T>> {
    @Override
    public Evaluation<T> leaf(NameTree.Leaf<T> leaf) {
      return new Evaluation<>(Set.of(leaf.value()), false);
    }

    @Override
    public Evaluation<T> alt(NameTree.Alt<T> alt) {
      for (NameTree<T> member : alt.trees()) {
        Evaluation<T> r = member.accept(this);
        if (r.failed || r.names != null) {
          return r;
        }
      }
      return neg();
    }

    @Override
    public Evaluation<T> union(NameTree.Union<T> union) {
      if (union.trees().size() == 1) {
        return union.trees().get(0).tree().accept(this);
      }
      Set<T> all = null;
      for (NameTree.Weighted<T> branch : union.trees()) {
        Evaluation<T> r = branch.tree().accept(this);
        if (r.names != null) {
          if (all == null) {
            all = new LinkedHashSet<>();
          }
          all.addAll(r.names);
        }
      }
      return all == null ? neg() : new Evaluation<>(Collections.unmodifiableSet(all), false);
    }

    @Override
    public Evaluation<T> neg() {
      return Evaluation.neg();
    }

    @Override
    public Evaluation<T> fail() {
      return failed();
    }

    @Override
    public Evaluation<T> empty() {
      return new Evaluation<>(Set.of(), false);
    }
  }
}
