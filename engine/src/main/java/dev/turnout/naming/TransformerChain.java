package dev.turnout.naming;

import dev.turnout.dtab.NameTree;
import java.util.List;
import java.util.function.Predicate;

/**
 * A router's transformers in configuration order, each applied to what the one before produced, as
 * Linkerd wraps its interpreter in one transformer after another. The empty chain changes nothing
 * and costs nothing.
 */
public final class TransformerChain {
  public static final TransformerChain NONE = new TransformerChain(List.of());

  private final List<Transformer> transformers;

  public TransformerChain(List<Transformer> transformers) {
    this.transformers = List.copyOf(transformers);
  }

  public boolean isEmpty() {
    return transformers.isEmpty();
  }

  /** The bound tree every transformer rewrote in turn. @throws BindingException (replace, const) */
  public NameTree<BoundName> apply(NameTree<BoundName> tree) {
    NameTree<BoundName> out = tree;
    for (Transformer t : transformers) {
      out = t.transform(out);
    }
    return out;
  }

  /** The delegation tree with a Transformation node for each rewrite, outermost first applied. */
  public DelegateTree apply(DelegateTree tree) {
    DelegateTree out = tree;
    for (Transformer t : transformers) {
      out = t.transform(out);
    }
    return out;
  }

  /**
   * {@code usable} judged on what a bound name becomes once transformed, for binding's choice among
   * alternatives: an outgoing router with {@code io.l5d.port} passes an alternative over when the
   * linkers it would send to are down, not the services behind them.
   */
  public Predicate<BoundName> judgedAfter(Predicate<BoundName> usable) {
    if (transformers.isEmpty()) {
      return usable;
    }
    return name -> anyUsable(apply(NameTree.leaf(name)), usable);
  }

  private static boolean anyUsable(NameTree<BoundName> tree, Predicate<BoundName> usable) {
    java.util.Optional<java.util.Set<BoundName>> names = tree.eval();
    if (names.isEmpty() || names.get().isEmpty()) {
      return true;
    }
    return names.get().stream().anyMatch(usable);
  }
}
