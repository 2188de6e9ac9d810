package dev.turnout.naming;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** The namers the spec vectors assume. */
final class VectorNamers {
  private VectorNamers() {}

  static final Path DISCO = Path.of("#", "disco");

  /**
   * The vectors' {@code /#/disco}: {@code <n>/rest} binds to id {@code /#/disco/<n>}, residual {@code
   * /rest}, when {@code n} is an existing name, and is Neg otherwise.
   */
  static Namer disco(Set<String> existing) {
    return path -> {
      if (path.isEmpty() || !existing.contains(path.labelText(0))) {
        return NameTree.neg();
      }
      Path id = DISCO.concat(path.take(1));
      Var<Addr> addr = new Var<>(new Addr.Bound(List.of(new Address("127.0.0.1", 8080))));
      return NameTree.leaf(new Name.Resolved(new BoundName(id, path.drop(1), addr)));
    };
  }

  /** The interpreter of the binding vectors: {@code /#/disco} and an inet namer at {@code /#inet}. */
  static Interpreter interpreter(Set<String> existing) {
    Path inet = Path.of("#inet");
    return new Interpreter(
        List.of(new Interpreter.Mount(DISCO, disco(existing)), new Interpreter.Mount(inet, new InetNamer(inet))));
  }

  /**
   * Finagle NamerTest's namer: every whole path is a name whose state can change. A name with no state
   * set is bound (id = the path). States: {@code bound}, {@code ~}, {@code !}, {@code $}, {@code failed}.
   */
  static final class StatefulNamer implements Namer {
    private final Map<String, String> states = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    void set(String name, String state) {
      states.put(name, state);
      generation.incrementAndGet();
      listeners.forEach(Runnable::run);
    }

    @Override
    public NameTree<Name> lookup(Path path) {
      if (path.isEmpty() || path.label(0).equals("$")) {
        return NameTree.neg();
      }
      String state = states.getOrDefault(path.show(), "bound");
      switch (state) {
        case "~":
          return NameTree.neg();
        case "!":
          return NameTree.fail();
        case "$":
          return NameTree.empty();
        case "bound":
          Var<Addr> addr = new Var<>(new Addr.Bound(List.of()));
          return NameTree.leaf(new Name.Resolved(new BoundName(path, Path.EMPTY, addr)));
        default:
          throw new BindingException("lookup of " + path.show() + " failed: " + state);
      }
    }

    @Override
    public long generation() {
      return generation.get();
    }

    @Override
    public AutoCloseable onChange(Runnable listener) {
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }
  }
}
