package dev.turnout.naming;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns a name into a tree of bound names, as Finagle's default interpreter and {@code Namer.bind} do.
 *
 * <p><b>Lookup</b> (one step): the dtab first; only when it answers exactly Neg are the namers asked,
 * in configuration order, each whose mount prefix starts the path (a namer answering Neg passes to the
 * next), and last the system namer for {@code /$}. So {@code /#/io.l5d.fs/a => /#/io.l5d.fs/b} redirects
 * even a concrete name.
 *
 * <p><b>Binding</b> repeats lookup until every leaf is bound: an Alt takes its first member that does
 * not bind to Neg (a Fail stops it, an Empty is kept, an error propagates); a Union binds every branch
 * and keeps those that bound to neither Neg nor Fail, with their weights (one survivor replaces the
 * union). A branch that failed to bind is ignored when any other branch bound, even to Neg; when none
 * did, the union fails with the first error. A bound name reached through a union branch carries that
 * branch's weight in its endpoint metadata under {@link #WEIGHT_META_KEY}. The result has no Alt nodes
 * and is simplified. Each lookup adds one level; past {@link #MAX_DEPTH} binding fails with {@code Max
 * recursion level: 100 reached in Namer lookup} (99 dentry rewrites and a namer lookup still bind).
 *
 * <p>Binding is a snapshot of the namers' current answers: when {@link #generation()} changes (a file
 * appears, a namer's state moves), bind again; endpoint sets inside bound names stay live by themselves.
 */
public final class Interpreter {
  public static final int MAX_DEPTH = 100;

  /** A namer and the path it is mounted at, such as {@code /#/io.l5d.fs}. */
  public record Mount(Path prefix, Namer namer) {}

  private final List<Mount> mounts;
  /** {@link #mounts} for {@link #generation}, which every request reads: an array walk makes no iterator. */
  private final Mount[] walked;

  public Interpreter(List<Mount> mounts) {
    List<Mount> all = new ArrayList<>(mounts);
    all.add(new Mount(SystemNamer.PREFIX, new SystemNamer()));
    this.mounts = List.copyOf(all);
    this.walked = this.mounts.toArray(new Mount[0]);
  }

  /** The configured namers, then the system namer. */
  public List<Mount> mounts() {
    return mounts;
  }

  /** Sum of the namers' generations: it changes whenever any namer's answers may have changed. */
  public long generation() {
    long g = 0;
    for (Mount m : walked) {
      g += m.namer().generation();
    }
    return g;
  }

  /** Runs {@code listener} after any namer changes; closing stops it. */
  public AutoCloseable onChange(Runnable listener) {
    List<AutoCloseable> subs = new ArrayList<>();
    for (Mount m : mounts) {
      subs.add(m.namer().onChange(listener));
    }
    return () -> {
      for (AutoCloseable s : subs) {
        s.close();
      }
    };
  }

  /** One lookup step for {@code path}: the dtab, or when it has nothing, the namers. */
  public NameTree<Name> lookup(Dtab dtab, Path path) {
    NameTree<Path> viaDtab = dtab.lookup(path);
    if (!(viaDtab instanceof NameTree.Neg<Path>)) {
      return viaDtab.map(Name.Unbound::new);
    }
    return lookupNamers(path);
  }

  /** The namers' answer for {@code path}, ignoring any dtab. */
  public NameTree<Name> lookupNamers(Path path) {
    for (Mount m : mounts) {
      if (path.startsWith(m.prefix())) {
        NameTree<Name> answer = m.namer().lookup(path.drop(m.prefix().size()));
        if (!(answer instanceof NameTree.Neg<Name>)) {
          return answer;
        }
      }
    }
    return NameTree.neg();
  }

  /** Binds {@code path} through {@code dtab} and the namers. @throws BindingException */
  public NameTree<BoundName> bind(Dtab dtab, Path path) {
    return bind(dtab, path, b -> true);
  }

  /**
   * Binds every leaf of {@code tree} as {@link #bind(Dtab, Path)} binds one path (the tree counts as
   * depth 0, as Finagle's {@code Namer.bind} takes it).
   *
   * @throws BindingException
   */
  public NameTree<BoundName> bind(Dtab dtab, NameTree<Path> tree) {
    return new Binding(dtab, b -> true).bind(tree.map(Name.Unbound::new), 0, NO_WEIGHT);
  }

  /**
   * Binds like {@link #bind(Dtab, Path)}, except that an Alt also passes over a member whose bound
   * names are all unusable (say, every endpoint refusing connections), as if it were Neg. When no member
   * is usable the first non-Neg one is kept, so traffic still has somewhere to go.
   */
  public NameTree<BoundName> bind(Dtab dtab, Path path, Predicate<BoundName> usable) {
    return new Binding(dtab, usable).bind(NameTree.leaf(new Name.Unbound(path)), 0, NO_WEIGHT);
  }

  /** The delegation tree of {@code path}: every alternative expanded, for "why does it route there". */
  public DelegateTree delegate(Dtab dtab, Path path) {
    return DelegateTree.delegate(this, dtab, path);
  }

  /**
   * The endpoints of a logical name, as Finagle's {@code Namer.resolve} and namerd's {@code
   * /api/1/resolve} give them: bind, evaluate the tree (an Alt takes its first member, a Union joins its
   * branches), then merge the endpoint sets of the names found. No name is {@link Addr.Neg}; {@code $} is
   * a bound empty set; a binding error is {@link Addr.Failed} with its message.
   */
  public Addr resolve(Dtab dtab, Path path) {
    try {
      return merge(bind(dtab, path));
    } catch (BindingException e) {
      return new Addr.Failed(e.getMessage());
    }
  }

  /**
   * The endpoints of a bound id such as {@code /#/io.l5d.fs/users}, as namerd's {@code /api/1/addr}
   * gives them: the namers' answer for the id (no dtab), merged as {@link #resolve} does.
   */
  public Addr addr(Path id) {
    try {
      return merge(bind(Dtab.EMPTY, NameTree.leaf(id)));
    } catch (BindingException e) {
      return new Addr.Failed(e.getMessage());
    }
  }

  /** One name's set as it is; several: any bound set wins (joined), else all Neg is Neg, and so on. */
  static Addr merge(NameTree<BoundName> tree) {
    java.util.Optional<java.util.Set<BoundName>> names = tree.eval();
    if (names.isEmpty()) {
      return new Addr.Neg();
    }
    if (names.get().isEmpty()) {
      return new Addr.Bound(List.of());
    }
    if (names.get().size() == 1) {
      return names.get().iterator().next().addr().get();
    }
    List<Address> all = new ArrayList<>();
    boolean bound = false;
    boolean allNeg = true;
    boolean allFailed = true;
    String firstFailure = null;
    for (BoundName b : names.get()) {
      Addr a = b.addr().get();
      if (a instanceof Addr.Bound ab) {
        bound = true;
        all.addAll(ab.addresses());
      }
      allNeg &= a instanceof Addr.Neg;
      allFailed &= a instanceof Addr.Failed;
      if (a instanceof Addr.Failed f && firstFailure == null) {
        firstFailure = f.message();
      }
    }
    if (bound) {
      return new Addr.Bound(all);
    }
    if (allNeg) {
      return new Addr.Neg();
    }
    return allFailed ? new Addr.Failed(firstFailure) : new Addr.Pending();
  }

  /** Address metadata key holding the weight of the union branch a bound name was reached through. */
  public static final String WEIGHT_META_KEY = "namer_nametree_weight";

  /** No enclosing union branch, so no weight to record. */
  private static final double NO_WEIGHT = Double.NaN;

  private final class Binding {
    private final Dtab dtab;
    private final Predicate<BoundName> usable;

    Binding(Dtab dtab, Predicate<BoundName> usable) {
      this.dtab = dtab;
      this.usable = usable;
    }

    /**
     * Finagle's {@code Namer.bind}: the depth grows by one per lookup, and {@code weight} is the weight
     * of the innermost union branch above, recorded in the bound name's address metadata.
     */
    NameTree<BoundName> bind(NameTree<Name> tree, int depth, double weight) {
      if (depth > MAX_DEPTH) {
        throw BindingException.maxDepth();
      }
      return tree.accept(new Step(depth, weight));
    }

    /** Binding one node found at {@code depth} under a union branch of weight {@code weight}. */
    private final class Step implements NameTree.Visitor<Name, NameTree<BoundName>> {
      private final int depth;
      private final double weight;

      Step(int depth, double weight) {
        this.depth = depth;
        this.weight = weight;
      }

      @Override
      public NameTree<BoundName> leaf(NameTree.Leaf<Name> leaf) {
        Name name = leaf.value();
        if (name instanceof Name.Resolved r) {
          return NameTree.leaf(withWeight(r.bound(), weight));
        }
        return bind(lookup(dtab, ((Name.Unbound) name).path()), depth + 1, weight);
      }

      @Override
      public NameTree<BoundName> alt(NameTree.Alt<Name> alt) {
        if (alt.trees().size() == 1) {
          return bind(alt.trees().get(0), depth, weight);
        }
        return bindAlt(alt, depth, weight);
      }

      @Override
      public NameTree<BoundName> union(NameTree.Union<Name> union) {
        if (union.trees().size() == 1) {
          NameTree.Weighted<Name> only = union.trees().get(0);
          return bind(only.tree(), depth, only.weight());
        }
        return bindUnion(union, depth);
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

    /** The first member that binds to something other than Neg; a Fail stops the search. */
    private NameTree<BoundName> bindAlt(NameTree.Alt<Name> alt, int depth, double weight) {
      NameTree<BoundName> firstFound = null;
      for (NameTree<Name> member : alt.trees()) {
        NameTree<BoundName> r = bind(member, depth, weight);
        if (r instanceof NameTree.Neg<BoundName>) {
          continue;
        }
        if (r instanceof NameTree.Fail<BoundName>) {
          return firstFound != null ? firstFound : r;
        }
        if (hasUsableLeaf(r)) {
          return r;
        }
        if (firstFound == null) {
          firstFound = r;
        }
      }
      return firstFound != null ? firstFound : NameTree.neg();
    }

    /**
     * Every branch is bound; the branches that bound (to anything, Neg included) form a union that is
     * then simplified, so Neg and Fail branches drop out. A branch that failed to bind is ignored when
     * any other bound; when none did, the first failure is the union's.
     */
    private NameTree<BoundName> bindUnion(NameTree.Union<Name> union, int depth) {
      List<NameTree.Weighted<BoundName>> bound = new ArrayList<>(union.trees().size());
      BindingException failure = null;
      for (NameTree.Weighted<Name> branch : union.trees()) {
        try {
          bound.add(new NameTree.Weighted<>(branch.weight(), bind(branch.tree(), depth, branch.weight())));
        } catch (BindingException e) {
          if (failure == null) {
            failure = e;
          }
        }
      }
      if (bound.isEmpty()) {
        throw failure;
      }
      return new NameTree.Union<>(bound).simplify();
    }

    /** Empty counts as usable: it is a real answer ("no endpoints") that stops an Alt. */
    private boolean hasUsableLeaf(NameTree<BoundName> tree) {
      return tree.accept(usableLeaf);
    }

    /**
     * Whether a bound tree has a leaf traffic could use: a leaf the predicate accepts, any such leaf
     * of a union; every other node (a bound tree has no Alt) counts as usable.
     */
    private final NameTree.Visitor<BoundName, Boolean> usableLeaf =
        new NameTree.Visitor<>() {
          @Override
          public Boolean leaf(NameTree.Leaf<BoundName> leaf) {
            return usable.test(leaf.value());
          }

          @Override
          public Boolean alt(NameTree.Alt<BoundName> alt) {
            return true;
          }

          @Override
          public Boolean union(NameTree.Union<BoundName> union) {
            for (NameTree.Weighted<BoundName> w : union.trees()) {
              if (w.tree().accept(this)) {
                return true;
              }
            }
            return false;
          }

          @Override
          public Boolean neg() {
            return true;
          }

          @Override
          public Boolean fail() {
            return true;
          }

          @Override
          public Boolean empty() {
            return true;
          }
        };
  }

  /** {@code bound} with {@code weight} added to the metadata of its endpoint set, read live. */
  private static BoundName withWeight(BoundName bound, double weight) {
    if (Double.isNaN(weight)) {
      return bound;
    }
    Var<Addr> weighted =
        bound
            .addr()
            .map(
                a -> {
                  if (a instanceof Addr.Bound b) {
                    Map<String, Object> meta = new HashMap<>(b.meta());
                    meta.put(WEIGHT_META_KEY, weight);
                    return new Addr.Bound(b.addresses(), meta);
                  }
                  return a;
                });
    return new BoundName(bound.id(), bound.residual(), weighted);
  }
}
