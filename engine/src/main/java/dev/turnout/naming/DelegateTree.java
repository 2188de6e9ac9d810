package dev.turnout.naming;

import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.dtab.Prefix;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a name was delegated, step by step: the "why does it route there" view of the admin playground and
 * namerd's {@code /api/1/delegate}. Every node carries the {@link #path()} it stands for and the {@link
 * #dentry()} that produced it ({@link #NOP} at the root, which JSON leaves out).
 *
 * <p>Unlike binding, delegation expands <b>every</b> alternative of an Alt and every branch of a Union,
 * so the tree shows the fallbacks too; a namer error becomes an {@link Exception} node instead of failing
 * the whole answer, and going deeper than {@link Interpreter#MAX_DEPTH} lookups ends that branch in an
 * Exception node saying {@code Max recursion level reached.}
 *
 * <p>Example: with {@code /svc => /#/io.l5d.fs} and a file {@code users}, {@code /svc/users} delegates to
 * {@code Delegate(/svc/users, Leaf(/#/io.l5d.fs/users))}: the root names the input, its child was
 * produced by {@code /svc=>/#/io.l5d.fs} and binds to the file's endpoints.
 */
public sealed interface DelegateTree
    permits DelegateTree.Delegate,
        DelegateTree.Alt,
        DelegateTree.Union,
        DelegateTree.Leaf,
        DelegateTree.Neg,
        DelegateTree.Fail,
        DelegateTree.Empty,
        DelegateTree.Exception,
        DelegateTree.Transformation {

  /** The dentry of a node no dentry produced (the root); its prefix is no valid path, as Linkerd's. */
  Dentry NOP = new Dentry(new Prefix(List.of(new Prefix.Label("/"))), NameTree.neg());

  /** The name this node stands for. */
  Path path();

  /** The rule that produced this node, or {@link #NOP}. */
  Dentry dentry();

  /** Calls the visitor's method for this node's type. */
  <R> R accept(Visitor<R> visitor);

  /**
   * Every case of a delegation tree, each one required: each node type calls its own method from
   * {@link #accept}, so adding a node type fails to compile until every visitor handles it.
   */
  interface Visitor<R> {
    R delegate(Delegate delegate);

    R alt(Alt alt);

    R union(Union union);

    R leaf(Leaf leaf);

    R neg(Neg neg);

    R fail(Fail fail);

    R empty(Empty empty);

    R exception(Exception exception);

    R transformation(Transformation transformation);
  }

  /** One step: {@code path} was rewritten, and {@code tree} is what it became. */
  record Delegate(Path path, Dentry dentry, DelegateTree tree) implements DelegateTree {
    public Delegate {
      Objects.requireNonNull(tree);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.delegate(this);
    }
  }

  /** Alternatives, all expanded, in the order binding tries them. */
  record Alt(Path path, Dentry dentry, List<DelegateTree> trees) implements DelegateTree {
    public Alt {
      trees = List.copyOf(trees);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.alt(this);
    }
  }

  /** Simultaneous branches with their weights. */
  record Union(Path path, Dentry dentry, List<Weighted> trees) implements DelegateTree {
    public Union {
      trees = List.copyOf(trees);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.union(this);
    }
  }

  /** A union branch. */
  record Weighted(double weight, DelegateTree tree) {}

  /** A namer bound the name. */
  record Leaf(Path path, Dentry dentry, BoundName bound) implements DelegateTree {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.leaf(this);
    }
  }

  /** Nothing matched (namers included), or an explicit {@code ~} (then the path is empty). */
  record Neg(Path path, Dentry dentry) implements DelegateTree {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.neg(this);
    }
  }

  /** An explicit failure, {@code !} or {@code /$/fail}. */
  record Fail(Path path, Dentry dentry) implements DelegateTree {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.fail(this);
    }
  }

  /** An explicit {@code $} or {@code /$/nil}: exists, no endpoints. */
  record Empty(Path path, Dentry dentry) implements DelegateTree {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.empty(this);
    }
  }

  /** A lookup failed (an unknown namer, the depth limit); the message says why. */
  record Exception(Path path, Dentry dentry, String message) implements DelegateTree {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.exception(this);
    }
  }

  /**
   * The transformer {@code name} ({@code io.l5d.port}) rewrote the bound name {@code bound} at {@code
   * path} into {@code tree}; {@code bound} is empty for {@code io.l5d.const}, which replaces a whole
   * tree (even a Neg) rather than one name. Linkerd names the node after the transformer's Scala class;
   * Turnout after the kind an operator wrote.
   */
  record Transformation(Path path, String name, Optional<BoundName> bound, DelegateTree tree)
      implements DelegateTree {
    public Transformation {
      Objects.requireNonNull(path);
      Objects.requireNonNull(name);
      Objects.requireNonNull(bound);
      Objects.requireNonNull(tree);
    }

    @Override
    public Dentry dentry() {
      return NOP;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.transformation(this);
    }
  }

  /** How the admin UI colours a node. */
  enum Outcome {
    /** Routes somewhere. */
    SUCCESS,
    /** Nothing here, or no endpoints; the preview passes on to an Alt's next member. */
    NEG,
    /**
     * Exists with no endpoints ({@code $}): it stops an Alt as binding does (dtab.md, B25: {@code /a | $
     * | /b} goes nowhere when /a is Neg), and a request that lands here is answered 502.
     */
    EMPTY,
    /** Stops with an error: Fail, an Exception. */
    FAIL
  }

  /**
   * The node's class as the delegator colours it: an Alt takes its first non-Neg member's class; a
   * Union fails if any branch fails, else succeeds if any succeeds, else is Neg; a Leaf is Neg when its
   * endpoint set is Neg and a success otherwise; Exception and Fail fail; Neg and Empty are Neg.
   *
   * <p>This is the rule the dashboard's preview has always drawn by, and {@link TrafficShares} projects
   * by it. It parts from binding in one place: binding stops at a {@code $} alternative (dtab.md 2.3,
   * a 502), while this rule passes over it to the next one.
   */
  default Outcome outcome() {
    return accept(Outcomes.INSTANCE);
  }

  /**
   * Of an Alt's members, the index of the primary one (the first that is not Neg by {@link
   * #outcome()}), or -1 when every member is Neg. The UI shows that branch in colour and the others grey.
   */
  static int primaryIndex(Alt alt) {
    for (int i = 0; i < alt.trees().size(); i++) {
      if (alt.trees().get(i).outcome() != Outcome.NEG) {
        return i;
      }
    }
    return -1;
  }

  /** This node with {@code dentry} in place of its own (a Transformation keeps none). */
  default DelegateTree withDentry(Dentry dentry) {
    return accept(new Simplification.Redentry(dentry));
  }

  /**
   * Linkerd's simplification: a one-member Alt or Union becomes a Delegate, an empty one Neg; an Alt
   * member that is an Alt of the same path is spliced into its parent; a Delegate whose child (not Neg,
   * Fail or Empty) has the same path collapses into the child, which takes the Delegate's dentry.
   */
  default DelegateTree simplified() {
    return accept(Simplification.INSTANCE);
  }

  /** Delegates {@code path} through {@code dtab} and the interpreter's namers, then simplifies. */
  static DelegateTree delegate(Interpreter interpreter, Dtab dtab, Path path) {
    return new Delegation(interpreter, dtab).lookup(NOP, path, 0).simplified();
  }
}
