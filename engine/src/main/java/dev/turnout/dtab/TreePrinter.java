package dev.turnout.dtab;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Prints a {@link NameTree} at its three precedence levels, as Finagle does: alternatives ({@code |}),
 * then unions ({@code &}, with a {@code %.2f*} weight when it is not 1), then simple terms. A nested Alt
 * or Union is parenthesised only where the level it sits at binds tighter than its operator. An Alt or
 * Union with a single member prints as that member (a lone union branch loses its weight), so printing
 * agrees with what the parser builds from the text.
 */
final class TreePrinter {
  private TreePrinter() {}

  /** The top level: a tree whose alternatives need no parentheses. */
  static <T> void alt(StringBuilder out, NameTree<T> tree, Function<? super T, String> leaf) {
    NameTree<T> t = unwrap(tree);
    if (t instanceof NameTree.Alt<T> a) {
      List<NameTree<T>> members = a.trees();
      for (int i = 0; i < members.size(); i++) {
        if (i > 0) {
          out.append(" | ");
        }
        union(out, members.get(i), leaf);
      }
    } else {
      union(out, t, leaf);
    }
  }

  /** Inside an Alt: unions print bare, alternatives in parentheses. */
  private static <T> void union(
      StringBuilder out, NameTree<T> tree, Function<? super T, String> leaf) {
    NameTree<T> t = unwrap(tree);
    if (t instanceof NameTree.Union<T> u) {
      List<NameTree.Weighted<T>> branches = u.trees();
      for (int i = 0; i < branches.size(); i++) {
        if (i > 0) {
          out.append(" & ");
        }
        NameTree.Weighted<T> w = branches.get(i);
        if (w.weight() != NameTree.DEFAULT_WEIGHT) {
          out.append(String.format(Locale.ROOT, "%.2f*", w.weight()));
        }
        simple(out, w.tree(), leaf);
      }
    } else if (t instanceof NameTree.Alt<T>) {
      parens(out, t, leaf);
    } else {
      simple(out, t, leaf);
    }
  }

  /** A union branch: anything compound is parenthesised. */
  private static <T> void simple(
      StringBuilder out, NameTree<T> tree, Function<? super T, String> leaf) {
    NameTree<T> t = unwrap(tree);
    if (t instanceof NameTree.Leaf<T> l) {
      out.append(leaf.apply(l.value()));
    } else if (t instanceof NameTree.Neg<T>) {
      out.append('~');
    } else if (t instanceof NameTree.Fail<T>) {
      out.append('!');
    } else if (t instanceof NameTree.Empty<T>) {
      out.append('$');
    } else {
      parens(out, t, leaf);
    }
  }

  private static <T> void parens(
      StringBuilder out, NameTree<T> tree, Function<? super T, String> leaf) {
    out.append('(');
    alt(out, tree, leaf);
    out.append(')');
  }

  /** A single-member Alt or Union stands for its member. */
  private static <T> NameTree<T> unwrap(NameTree<T> tree) {
    NameTree<T> t = tree;
    while (true) {
      if (t instanceof NameTree.Alt<T> a && a.trees().size() == 1) {
        t = a.trees().get(0);
      } else if (t instanceof NameTree.Union<T> u && u.trees().size() == 1) {
        t = u.trees().get(0).tree();
      } else {
        return t;
      }
    }
  }
}
