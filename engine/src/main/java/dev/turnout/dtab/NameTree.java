package dev.turnout.dtab;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A tree of names, the right side of a dentry and the result of binding. The six node types and their
 * meaning:
 *
 * <ul>
 *   <li>{@link Leaf}: one name.
 *   <li>{@link Alt} ({@code a | b}): the first alternative that is not {@link Neg}; a {@link Fail}
 *       stops the search.
 *   <li>{@link Union} ({@code 0.9*a & 0.1*b}): every branch at once, traffic split by weight.
 *   <li>{@link Neg} ({@code ~}): nothing here, try the next alternative.
 *   <li>{@link Fail} ({@code !}): stop, this name is an error.
 *   <li>{@link Empty} ({@code $}): the name exists but has no endpoints; it stops an {@link Alt}.
 * </ul>
 *
 * <p>Nested nodes are never flattened: {@code /a & (/b & /c)} is a union whose second branch is a
 * union. {@link #show()} prints Finagle's canonical text, parenthesising only where needed, writing a
 * weight ({@code %.2f*}) only when it is not 1, and printing a one-member Alt or Union as its member,
 * so {@code read(t.show())} equals {@code t} for any tree whose weights have at most two decimals and
 * whose Alt and Union nodes have two or more members.
 *
 * @param <T> the leaf type: {@link Path} in a dtab, a bound name after binding
 */
public sealed interface NameTree<T>
    permits NameTree.Leaf, NameTree.Alt, NameTree.Union, NameTree.Neg, NameTree.Fail, NameTree.Empty {

  /** The weight a union branch has when none is written. */
  double DEFAULT_WEIGHT = 1.0;

  /** One name. */
  record Leaf<T>(T value) implements NameTree<T> {
    public Leaf {
      if (value == null) {
        throw new IllegalArgumentException("a leaf needs a value");
      }
    }

    @Override
    public <R> R accept(Visitor<T, R> visitor) {
      return visitor.leaf(this);
    }

    @Override
    public <U> NameTree<U> map(Function<? super T, ? extends U> f) {
      return new Leaf<>(f.apply(value));
    }

    @Override
    public NameTree<T> simplify() {
      return this;
    }
  }

  /** Alternatives, tried in order. */
  record Alt<T>(List<NameTree<T>> trees) implements NameTree<T> {
    public Alt {
      trees = List.copyOf(trees);
    }

    @Override
    public <R> R accept(Visitor<T, R> visitor) {
      return visitor.alt(this);
    }

    @Override
    public <U> NameTree<U> map(Function<? super T, ? extends U> f) {
      List<NameTree<U>> out = new ArrayList<>(trees.size());
      for (NameTree<T> t : trees) {
        out.add(t.map(f));
      }
      return new Alt<>(out);
    }

    /** Neg members go, and everything after the first Fail; none left is Neg, one is itself. */
    @Override
    public NameTree<T> simplify() {
      List<NameTree<T>> kept = new ArrayList<>(trees.size());
      for (NameTree<T> t : trees) {
        NameTree<T> s = t.simplify();
        if (s instanceof Neg<T>) {
          continue;
        }
        kept.add(s);
        if (s instanceof Fail<T>) {
          break;
        }
      }
      if (kept.isEmpty()) {
        return neg();
      }
      return kept.size() == 1 ? kept.get(0) : new Alt<>(kept);
    }
  }

  /** Simultaneous branches; each request picks one with probability weight / sum of weights. */
  record Union<T>(List<Weighted<T>> trees) implements NameTree<T> {
    public Union {
      trees = List.copyOf(trees);
    }

    @Override
    public <R> R accept(Visitor<T, R> visitor) {
      return visitor.union(this);
    }

    @Override
    public <U> NameTree<U> map(Function<? super T, ? extends U> f) {
      List<Weighted<U>> out = new ArrayList<>(trees.size());
      for (Weighted<T> w : trees) {
        out.add(w.map(f));
      }
      return new Union<>(out);
    }

    /** Neg and Fail branches go (of two or more); none left is Neg, one is its tree. */
    @Override
    public NameTree<T> simplify() {
      if (trees.size() == 1) {
        // a lone branch stands for itself, Fail included (Finagle: Union(Weighted(_, t)) => t)
        return trees.get(0).tree().simplify();
      }
      List<Weighted<T>> kept = new ArrayList<>(trees.size());
      for (Weighted<T> w : trees) {
        NameTree<T> s = w.tree().simplify();
        if (s instanceof Neg<T> || s instanceof Fail<T>) {
          continue;
        }
        kept.add(new Weighted<>(w.weight(), s));
      }
      if (kept.isEmpty()) {
        return neg();
      }
      return kept.size() == 1 ? kept.get(0).tree() : new Union<>(kept);
    }
  }

  /** A union branch with its weight. */
  record Weighted<T>(double weight, NameTree<T> tree) {
    public Weighted {
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("a weight must be a finite number >= 0, not " + weight);
      }
      if (tree == null) {
        throw new IllegalArgumentException("a weighted branch needs a tree");
      }
    }

    public <U> Weighted<U> map(Function<? super T, ? extends U> f) {
      return new Weighted<>(weight, tree.map(f));
    }
  }

  /** {@code ~}: no name here; an Alt goes on to its next alternative. */
  record Neg<T>() implements NameTree<T> {
    @Override
    public <R> R accept(Visitor<T, R> visitor) {
      return visitor.neg();
    }

    @Override
    public <U> NameTree<U> map(Function<? super T, ? extends U> f) {
      return new Neg<>();
    }

    @Override
    public NameTree<T> simplify() {
      return this;
    }
  }

  /** {@code !}: an explicit failure; it stops an Alt. */
  record Fail<T>() implements NameTree<T> {
    @Override
    public <R> R accept(Visitor<T, R> visitor) {
      return visitor.fail();
    }

    @Override
    public <U> NameTree<U> map(Function<? super T, ? extends U> f) {
      return new Fail<>();
    }

    @Override
    public NameTree<T> simplify() {
      return this;
    }
  }

  /** {@code $}: a name with no endpoints; it stops an Alt. */
  record Empty<T>() implements NameTree<T> {
    @Override
    public <R> R accept(Visitor<T, R> visitor) {
      return visitor.empty();
    }

    @Override
    public <U> NameTree<U> map(Function<? super T, ? extends U> f) {
      return new Empty<>();
    }

    @Override
    public NameTree<T> simplify() {
      return this;
    }
  }

  /**
   * Every case of a tree, each one required: each node type calls its own method from {@link
   * #accept}, so adding a node type fails to compile until every visitor handles it.
   */
  interface Visitor<T, R> {
    R leaf(Leaf<T> leaf);

    R alt(Alt<T> alt);

    R union(Union<T> union);

    R neg();

    R fail();

    R empty();
  }

  static <T> NameTree<T> leaf(T value) {
    return new Leaf<>(value);
  }

  @SafeVarargs
  static <T> NameTree<T> alt(NameTree<T>... trees) {
    return new Alt<>(List.of(trees));
  }

  @SafeVarargs
  static <T> NameTree<T> union(Weighted<T>... trees) {
    return new Union<>(List.of(trees));
  }

  static <T> NameTree<T> neg() {
    return new Neg<>();
  }

  static <T> NameTree<T> fail() {
    return new Fail<>();
  }

  static <T> NameTree<T> empty() {
    return new Empty<>();
  }

  /**
   * Parses a name tree in dtab syntax.
   *
   * @throws DtabParseException with the position of the first offending character
   */
  static NameTree<Path> read(String text) {
    return DtabParser.parseTree(text);
  }

  /** Calls the visitor's method for this node's type. */
  <R> R accept(Visitor<T, R> visitor);

  /** The same tree with every leaf value replaced by {@code f(value)}. */
  <U> NameTree<U> map(Function<? super T, ? extends U> f);

  /**
   * Removes what cannot matter, without flattening: an Alt drops Neg members and everything after the
   * first Fail; a Union of two or more drops Neg and Fail branches; a node left with no member is Neg,
   * with one member is that member (a lone union branch loses its weight, and a lone {@code !} stays
   * Fail). The result is a fixpoint: simplifying it again changes nothing.
   */
  NameTree<T> simplify();

  /**
   * The set of names this tree stands for, weights discarded: empty {@link Optional} when the tree is
   * Neg or fails; an empty set for {@code $}, which is a successful answer with no names. An Alt takes
   * its first member that is not Neg and stops at a Fail; a Union joins its members that are neither.
   */
  default Optional<Set<T>> eval() {
    return Optional.ofNullable(Evaluation.eval(this).names());
  }

  /** Finagle's canonical text, leaves shown with {@link #showLeaf(Object)}. */
  default String show() {
    return show(NameTree::showLeaf);
  }

  /** The canonical text with leaves shown by {@code showLeaf}. */
  default String show(Function<? super T, String> showLeaf) {
    StringBuilder out = new StringBuilder();
    TreePrinter.alt(out, this, showLeaf);
    return out.toString();
  }

  /** A {@link Path} leaf prints with {@link Path#show()}, anything else with {@code toString()}. */
  static String showLeaf(Object value) {
    return value instanceof Path p ? p.show() : String.valueOf(value);
  }
}
