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
final class TreePrinter<T> {
  /** The level a node is printed at; each decides which compound nodes need parentheses there. */
  private enum Level {
    /** The top, or inside parentheses: nothing needs them. */
    ALT,
    /** An Alt member: a nested Alt needs parentheses, a Union does not. */
    UNION,
    /** A union branch: every compound node needs them. */
    SIMPLE
  }

  private final StringBuilder out;
  private final Function<? super T, String> leaf;
  private final AtLevel atAlt = new AtLevel(Level.ALT);
  private final AtLevel atUnion = new AtLevel(Level.UNION);
  private final AtLevel atSimple = new AtLevel(Level.SIMPLE);

  private TreePrinter(StringBuilder out, Function<? super T, String> leaf) {
    this.out = out;
    this.leaf = leaf;
  }

  /** The top level: a tree whose alternatives need no parentheses. */
  static <T> void alt(StringBuilder out, NameTree<T> tree, Function<? super T, String> leaf) {
    new TreePrinter<T>(out, leaf).print(tree, Level.ALT);
  }

  private void print(NameTree<T> tree, Level level) {
    AtLevel printer = level == Level.ALT ? atAlt : level == Level.UNION ? atUnion : atSimple;
    unwrap(tree).accept(printer);
  }

  private void parens(NameTree<T> tree) {
    out.append('(');
    print(tree, Level.ALT);
    out.append(')');
  }

  /** One node printed at one level; an unwrapped tree reaches it, so every Alt and Union has 2+ members. */
  private final class AtLevel implements NameTree.Visitor<T, Void> {
    private final Level level;

    AtLevel(Level level) {
      this.level = level;
    }

    @Override
    public Void leaf(NameTree.Leaf<T> l) {
      out.append(leaf.apply(l.value()));
      return null;
    }

    @Override
    public Void alt(NameTree.Alt<T> a) {
      if (level != Level.ALT) {
        parens(a);
        return null;
      }
      List<NameTree<T>> members = a.trees();
      for (int i = 0; i < members.size(); i++) {
        if (i > 0) {
          out.append(" | ");
        }
        print(members.get(i), Level.UNION);
      }
      return null;
    }

    @Override
    public Void union(NameTree.Union<T> u) {
      if (level == Level.SIMPLE) {
        parens(u);
        return null;
      }
      List<NameTree.Weighted<T>> branches = u.trees();
      for (int i = 0; i < branches.size(); i++) {
        if (i > 0) {
          out.append(" & ");
        }
        NameTree.Weighted<T> w = branches.get(i);
        if (w.weight() != NameTree.DEFAULT_WEIGHT) {
          out.append(String.format(Locale.ROOT, "%.2f*", w.weight()));
        }
        print(w.tree(), Level.SIMPLE);
      }
      return null;
    }

    @Override
    public Void neg() {
      out.append('~');
      return null;
    }

    @Override
    public Void fail() {
      out.append('!');
      return null;
    }

    @Override
    public Void empty() {
      out.append('$');
      return null;
    }
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
