package dev.turnout.dtab;

import java.util.Locale;
import java.util.function.Function;

/**
 * Prints a {@link NameTree} at its three precedence levels: alternatives ({@code |}), then unions
 * ({@code &}, with {@code %.2f*} weights other than 1), then simple terms; a nested Alt or Union is
 * parenthesised only where the level above needs it.
 */
final class TreePrinter {
  private TreePrinter() {}

  static <T> void alt(StringBuilder out, NameTree<T> tree, Function<? super T, String> leaf) {
    if (tree instanceof NameTree.Alt<T> a) {
      for (int i = 0; i < a.trees().size(); i++) {
        if (i > 0) {
          out.append(" | ");
        }
        union(out, a.trees().get(i), leaf);
      }
    } else {
      union(out, tree, leaf);
    }
  }

  private static <T> void union(
      StringBuilder out, NameTree<T> tree, Function<? super T, String> leaf) {
    if (tree instanceof NameTree.Union<T> u) {
      for (int i = 0; i < u.trees().size(); i++) {
        if (i > 0) {
          out.append(" & ");
        }
        NameTree.Weighted<T> w = u.trees().get(i);
        if (w.weight() != NameTree.DEFAULT_WEIGHT) {
          out.append(String.format(Locale.ROOT, "%.2f*", w.weight()));
        }
        simple(out, w.tree(), leaf);
      }
    } else {
      simple(out, tree, leaf);
    }
  }

  private static <T> void simple(
      StringBuilder out, NameTree<T> tree, Function<? super T, String> leaf) {
    if (tree instanceof NameTree.Leaf<T> l) {
      out.append(leaf.apply(l.value()));
    } else if (tree instanceof NameTree.Neg<T>) {
      out.append('~');
    } else if (tree instanceof NameTree.Fail<T>) {
      out.append('!');
    } else if (tree instanceof NameTree.Empty<T>) {
      out.append('$');
    } else {
      out.append('(');
      alt(out, tree, leaf);
      out.append(')');
    }
  }
}
