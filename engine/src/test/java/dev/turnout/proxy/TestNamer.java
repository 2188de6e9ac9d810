package dev.turnout.proxy;

import dev.turnout.testing.Backend;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.Name;
import dev.turnout.naming.Namer;
import dev.turnout.naming.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A namer mounted at {@code /#/io.l5d.fs} whose names and endpoint sets a test sets directly. */
final class TestNamer implements Namer {
  static final Path PREFIX = Path.read("/#/io.l5d.fs");
  private final Map<String, Var<Addr>> names = new ConcurrentHashMap<>();

  Interpreter interpreter() {
    return new Interpreter(List.of(new Interpreter.Mount(PREFIX, this)));
  }

  /** Sets name {@code name} to the given backends' endpoints, each with weight 1. */
  void set(String name, Backend... backends) {
    int[] ports = new int[backends.length];
    for (int i = 0; i < backends.length; i++) {
      ports[i] = backends[i].port();
    }
    setPorts(name, ports);
  }

  /** Sets name {@code name} to endpoints on loopback at {@code ports}, each with weight 1. */
  void setPorts(String name, int... ports) {
    List<Address> addresses = new ArrayList<>();
    for (int port : ports) {
      addresses.add(new Address("127.0.0.1", port));
    }
    Addr addr = new Addr.Bound(addresses);
    names.computeIfAbsent(name, n -> new Var<>(addr)).set(addr);
  }

  @Override
  public NameTree<Name> lookup(Path path) {
    if (path.isEmpty()) {
      return NameTree.neg();
    }
    Var<Addr> addr = names.get(path.labelText(0));
    if (addr == null) {
      return NameTree.neg();
    }
    BoundName bound = new BoundName(PREFIX.concat(path.take(1)), path.drop(1), addr);
    return NameTree.leaf(new Name.Resolved(bound));
  }
}
