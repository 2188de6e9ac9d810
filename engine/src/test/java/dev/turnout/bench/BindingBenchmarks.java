package dev.turnout.bench;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.routing.DtabSource;
import dev.turnout.routing.Route;
import dev.turnout.routing.Router;
import dev.turnout.routing.RoutingSnapshot;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.Name;
import dev.turnout.naming.Namer;
import dev.turnout.naming.Var;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the proxy pays per request for routing: parsing a 50-dentry dtab (done once per dtab version),
 * binding {@code /svc/users} through it uncached (three rewrites and a weighted union, then two namer
 * lookups), and the same binding served from the router's bound-tree cache, as every proxied request is. Run from the repository root:
 *
 * <pre>
 * mvn -q -pl engine test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
 *   "-Dexec.args=-cp %classpath org.openjdk.jmh.Main BindingBenchmarks -f 1 -wi 3 -i 5 -w 1s -r 1s"
 * </pre>
 *
 * ({@code exec:exec} rather than {@code exec:java}: JMH forks a JVM, which needs the real classpath.)
 * Targets on a 2-core machine: parse under 50 µs, uncached bind under 5 µs, cached under 100 ns.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BindingBenchmarks {
  private static final Path DISCO = Path.read("/#/io.l5d.fs");

  String dtabText;
  Dtab dtab;
  Path name;
  Interpreter interpreter;
  /** The proxy's own bound-tree cache: the router's, per routing snapshot (dtab version). */
  Router router;

  RoutingSnapshot snapshot;

  @Setup
  public void setUp() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 46; i++) {
      text.append("/svc/app").append(i).append(" => /#/io.l5d.fs/app").append(i).append(" | /#/io.l5d.fs/fallback;\n");
    }
    text.append("/svc => /host;\n");
    text.append("/host => /srv;\n");
    text.append("/srv/users => 0.9 * /#/io.l5d.fs/users & 0.1 * /#/io.l5d.fs/users-v2;\n");
    text.append("/srv/orders => /#/io.l5d.fs/orders;\n");
    dtabText = text.toString();
    dtab = Dtab.read(dtabText);
    if (dtab.size() != 50) {
      throw new IllegalStateException("the benchmark dtab has " + dtab.size() + " dentries, not 50");
    }
    name = Path.read("/svc/users");

    Map<String, Var<Addr>> files =
        Map.of(
            "users", new Var<>(new Addr.Bound(List.of(new Address("10.0.0.1", 8080)))),
            "users-v2", new Var<>(new Addr.Bound(List.of(new Address("10.0.0.2", 8080)))));
    Namer fs =
        path -> {
          Var<Addr> addr = path.isEmpty() ? null : files.get(path.label(0));
          if (addr == null) {
            return NameTree.neg();
          }
          BoundName b = new BoundName(DISCO.concat(path.take(1)), path.drop(1), addr);
          return NameTree.leaf(new Name.Resolved(b));
        };
    interpreter = new Interpreter(List.of(new Interpreter.Mount(DISCO, fs)));
    DtabSource source = DtabSource.fixed(dtabText);
    router = new Router(BenchRouters.config(dtabText), interpreter, source, System::nanoTime);
    snapshot = source.current();
    if (!(interpreter.bind(dtab, name) instanceof NameTree.Union)) {
      throw new IllegalStateException("the benchmark name must bind to a union");
    }
  }

  @Benchmark
  public Dtab parse50Dentries() {
    return Dtab.read(dtabText);
  }

  @Benchmark
  public NameTree<BoundName> bindUncached() {
    return interpreter.bind(dtab, name);
  }

  @Benchmark
  public Route bindCached() {
    return router.bind(snapshot, Dtab.EMPTY, name);
  }
}
