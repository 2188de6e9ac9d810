package dev.turnout.naming;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code io.l5d.replace} and {@code io.l5d.const}: a configured path is bound with no dtab (by the
 * process's namers, as Linkerd binds it through its global interpreter), and its bound names take the
 * id {@code prefix ++ path}, keeping their residual and live address set. Replace puts that tree in
 * place of every leaf, so a tree that bound to nothing (Neg, Fail, Empty) stays so: a namer can vouch
 * for a name while traffic goes elsewhere. Const puts it in place of the whole tree, whatever it was.
 *
 * <p>The path is bound again on each transform: a router transforms only when it binds, which it
 * does once per snapshot and namer generation, so the replacement follows the namers as binding does.
 */
final class ReplaceTransformer implements Transformer {
  private final Path prefix;
  private final Path path;
  private final Interpreter interpreter;
  private final boolean wholeTree;

  ReplaceTransformer(Path prefix, Path path, Interpreter interpreter, boolean wholeTree) {
    this.prefix = prefix;
    this.path = path;
    this.interpreter = interpreter;
    this.wholeTree = wholeTree;
  }

  private String name() {
    return wholeTree ? "io.l5d.const" : "io.l5d.replace";
  }

  /** The configured path, bound, its names under the prefix. @throws BindingException */
  private NameTree<BoundName> replacement() {
    Path id = prefix.concat(path);
    return interpreter
        .bind(Dtab.EMPTY, NameTree.leaf(path))
        .map(b -> new BoundName(id, b.residual(), b.addr()));
  }

  @Override
  public NameTree<BoundName> transform(NameTree<BoundName> tree) {
    if (wholeTree) {
      return replacement();
    }
    return tree.accept(new EveryLeaf());
  }

  @Override
  public DelegateTree transform(DelegateTree tree) {
    Path id = prefix.concat(path);
    if (wholeTree) {
      DelegateTree after;
      try {
        after = DelegateLeaves.of(id, DelegateTree.NOP, replacement());
      } catch (BindingException e) {
        after = new DelegateTree.Exception(id, DelegateTree.NOP, Delegation.message(e));
      }
      return new DelegateTree.Transformation(tree.path(), name(), Optional.empty(), after);
    }
    return DelegateLeaves.replace(
        tree,
        leaf -> {
          DelegateTree after;
          try {
            after = DelegateLeaves.of(id, leaf.dentry(), replacement());
          } catch (BindingException e) {
            after = new DelegateTree.Exception(id, leaf.dentry(), Delegation.message(e));
          }
          return new DelegateTree.Transformation(leaf.path(), name(), Optional.of(leaf.bound()), after);
        });
  }

  /** The tree with the replacement in place of each leaf, bound once however many leaves there are. */
  private final class EveryLeaf implements NameTree.Visitor<BoundName, NameTree<BoundName>> {
    private NameTree<BoundName> bound;

    @Override
    public NameTree<BoundName> leaf(NameTree.Leaf<BoundName> leaf) {
      if (bound == null) {
        bound = replacement();
      }
      return bound;
    }

    @Override
    public NameTree<BoundName> alt(NameTree.Alt<BoundName> alt) {
      List<NameTree<BoundName>> members = new ArrayList<>(alt.trees().size());
      for (NameTree<BoundName> t : alt.trees()) {
        members.add(t.accept(this));
      }
      return new NameTree.Alt<>(members);
    }

    @Override
    public NameTree<BoundName> union(NameTree.Union<BoundName> union) {
      List<NameTree.Weighted<BoundName>> branches = new ArrayList<>(union.trees().size());
      for (NameTree.Weighted<BoundName> w : union.trees()) {
        branches.add(new NameTree.Weighted<>(w.weight(), w.tree().accept(this)));
      }
      return new NameTree.Union<>(branches);
    }

    @Override
    public NameTree<BoundName> neg() {
      return NameTree.neg();
    }

    @Override
    public NameTree<BoundName> fail() {
      return NameTree.fail();
    }

    @Override
    public NameTree<BoundName> empty() {
      return NameTree.empty();
    }
  }
}
