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

  @SuppressWarnings("unchecked")
  static <T> Evaluation<T> eval(NameTree<T> tree) {
    if (tree instanceof NameTree.Leaf<T> l) {
      return new Evaluation<>(Set.of(l.value()), false);
    } else if (tree instanceof NameTree.Empty<T>) {
      return new Evaluation<>(Set.of(), false);
    } else if (tree instanceof NameTree.Fail<T>) {
      return (Evaluation<T>) FAIL;
    } else if (tree instanceof NameTree.Alt<T> alt) {
      for (NameTree<T> member : alt.trees()) {
        Evaluation<T> r = eval(member);
        if (r.failed || r.names != null) {
          return r;
        }
      }
      return (Evaluation<T>) NEG;
    } else if (tree instanceof NameTree.Union<T> union) {
      if (union.trees().size() == 1) {
        return eval(union.trees().get(0).tree());
      }
      Set<T> all = null;
      for (NameTree.Weighted<T> branch : union.trees()) {
        Evaluation<T> r = eval(branch.tree());
        if (r.names != null) {
          if (all == null) {
            all = new LinkedHashSet<>();
          }
          all.addAll(r.names);
        }
      }
      return all == null
          ? (Evaluation<T>) NEG
          : new Evaluation<>(Collections.unmodifiableSet(all), false);
    }
    return (Evaluation<T>) NEG;
  }
}
