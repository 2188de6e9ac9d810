package dev.turnout.web.rollout;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.DelegateTree;
import dev.turnout.naming.TrafficShares;
import dev.turnout.web.routing.PreviewService;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a rollout's canary or stable sends its requests: the bound ids (as the fleet's figures name
 * their clients) that the destination as written reaches under a version of the namespace's dtab. A
 * canary written {@code /srv/users-v2}, with {@code /srv => /#/io.l5d.fs} in the dtab, carries its
 * traffic on {@code /#/io.l5d.fs/users-v2}, and that is where its figures are found.
 */
@FunctionalInterface
public interface Destinations {

  /**
   * The bound ids {@code tree} (a name tree in dtab syntax) sends traffic to under {@code dtab} as
   * namespace {@code namespace}'s dtab; none, with the reason, when it routes nowhere.
   */
  Resolution of(String namespace, Dtab dtab, String tree);

  /**
   * @param ids the bound ids, in the order the tree reaches them; an Alt contributes the member that
   *     takes its traffic now, a Union every branch that routes with a weight above 0
   * @param why when there are none, what the tree came to ({@code nothing binds it}); else empty
   */
  record Resolution(List<String> ids, String why) {
    public Resolution {
      ids = List.copyOf(ids);
      why = why == null ? "" : why;
    }

    public boolean none() {
      return ids.isEmpty();
    }
  }

  /**
   * Every path of the tree as its own id, without looking anything up: the rule of a driver with no
   * namers to ask (its figures must then be keyed by the paths as written).
   */
  Destinations AS_WRITTEN = (namespace, dtab, tree) -> {
    List<String> ids = new ArrayList<>();
    collectPaths(NameTree.read(tree), ids);
    return new Resolution(ids, ids.isEmpty() ? "it names no path" : "");
  };

  /**
   * Resolution by the preview's delegation (the routers' namers, router dtab and transformers), each
   * path of the tree delegated on its own and the tree's Alts and Unions kept above them, projected as
   * the overview projects traffic ({@link TrafficShares}).
   */
  static Destinations of(PreviewService preview) {
    return (namespace, dtab, tree) -> {
      NameTree<Path> names = NameTree.read(tree);
      List<String> paths = new ArrayList<>();
      collectPaths(names, paths);
      if (!paths.isEmpty() && paths.stream().allMatch(p -> unmounted(preview, Path.read(p)))) {
        // Bound ids of namers this process does not have (the proxies' own): they name themselves.
        return AS_WRITTEN.of(namespace, dtab, tree);
      }
      DelegateTree delegated = names.accept(new NameTree.Visitor<Path, DelegateTree>() {
        @Override
        public DelegateTree leaf(NameTree.Leaf<Path> leaf) {
          return preview.delegate(namespace, dtab, leaf.value());
        }

        @Override
        public DelegateTree alt(NameTree.Alt<Path> alt) {
          List<DelegateTree> members = new ArrayList<>();
          alt.trees().forEach(t -> members.add(t.accept(this)));
          return new DelegateTree.Alt(Path.EMPTY, DelegateTree.NOP, members);
        }

        @Override
        public DelegateTree union(NameTree.Union<Path> union) {
          List<DelegateTree.Weighted> branches = new ArrayList<>();
          union.trees().forEach(w -> branches.add(new DelegateTree.Weighted(w.weight(), w.tree().accept(this))));
          return new DelegateTree.Union(Path.EMPTY, DelegateTree.NOP, branches);
        }

        @Override
        public DelegateTree neg() {
          return new DelegateTree.Neg(Path.EMPTY, DelegateTree.NOP);
        }

        @Override
        public DelegateTree fail() {
          return new DelegateTree.Fail(Path.EMPTY, DelegateTree.NOP);
        }

        @Override
        public DelegateTree empty() {
          return new DelegateTree.Empty(Path.EMPTY, DelegateTree.NOP);
        }
      });
      List<String> ids = new ArrayList<>();
      // A branch of weight 0 (the canary branch "Create canary" adds to the stable) carries nothing.
      TrafficShares.of(delegated).destinations().forEach((id, share) -> {
        if (share > 0) {
          ids.add(id.show());
        }
      });
      return new Resolution(ids, ids.isEmpty() ? why(delegated) : "");
    };
  }

  /**
   * A bound id ({@code /#/...}, or a transformer's {@code /%/...}) that no namer of {@code preview}
   * is mounted to bind.
   */
  private static boolean unmounted(PreviewService preview, Path path) {
    if (path.size() == 0 || !(path.label(0).equals("#") || path.label(0).equals("%"))) {
      return false;
    }
    return preview.namers().stream().noneMatch(m -> path.startsWith(m.prefix()));
  }

  /** What a tree that routes nowhere came to, in a few words. */
  private static String why(DelegateTree tree) {
    String error = firstError(tree);
    if (error != null) {
      return "its binding fails: " + error;
    }
    return switch (tree.outcome()) {
      case FAIL -> "it fails (!)";
      case EMPTY -> "it exists with no endpoints ($)";
      default -> "nothing binds it";
    };
  }

  /** The message of the first Exception node, depth first, if any. */
  private static String firstError(DelegateTree tree) {
    if (tree instanceof DelegateTree.Exception e) {
      return e.message();
    }
    List<DelegateTree> children = new ArrayList<>();
    if (tree instanceof DelegateTree.Delegate d) {
      children.add(d.tree());
    } else if (tree instanceof DelegateTree.Alt a) {
      children.addAll(a.trees());
    } else if (tree instanceof DelegateTree.Union u) {
      u.trees().forEach(w -> children.add(w.tree()));
    } else if (tree instanceof DelegateTree.Transformation x) {
      children.add(x.tree());
    }
    for (DelegateTree child : children) {
      String found = firstError(child);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static void collectPaths(NameTree<Path> tree, List<String> into) {
    if (tree instanceof NameTree.Leaf<Path> leaf) {
      into.add(leaf.value().show());
    } else if (tree instanceof NameTree.Alt<Path> alt) {
      alt.trees().forEach(t -> collectPaths(t, into));
    } else if (tree instanceof NameTree.Union<Path> union) {
      union.trees().forEach(w -> collectPaths(w.tree(), into));
    }
  }
}
