package dev.turnout.naming.k8s;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Name;
import dev.turnout.naming.Var;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Not a test (surefire runs none of *Bench): 1,000 endpoints behind one io.l5d.k8s name on the
 * Kubernetes stand-in, all moved to a new port once a second for {@code rounds} rounds (20 unless
 * given); prints p50/p99 of the time from the API server receiving the replacing PUT to the name's Var
 * holding it, and the CPU time of the namer's threads ({@code turnout-k8s-*}) over the run.
 *
 * <p>Run: {@code mvn -q -o -pl engine dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * -Dmdep.includeScope=test} then {@code java -cp engine/target/classes:engine/target/test-classes:$(cat
 * /tmp/cp.txt) dev.turnout.naming.k8s.K8sBench}.
 */
public final class K8sBench {
  private K8sBench() {}

  public static void main(String[] args) throws Exception {
    // The stand-in is the JDK's HTTP server, which leaves Nagle on: each event's small chunk writes would
    // wait on the namer's delayed ACK (~40 ms). Kubernetes' API server (Go) sets TCP_NODELAY.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int endpoints = 1000;
    List<String> ips = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) {
      ips.add("10." + (i / 65536) + "." + (i / 256 % 256) + "." + (i % 256));
    }
    try (K8sStandIn api = K8sStandIn.start();
        K8sNamer namer = K8sNamer.plain("127.0.0.1", api.port(), K8sNamer.DEFAULT_PREFIX, Optional.empty(), Clock.systemUTC())) {
      api.endpoints("bench", "users", Map.of(), ips, List.of(), Map.of("http", 10_000));
      NameTree<Name> tree = namer.lookup(Path.read("/bench/http/users"));
      Var<Addr> var = ((Name.Resolved) ((NameTree.Leaf<Name>) tree).value()).bound().addr();
      Map<Integer, Long> seen = new ConcurrentHashMap<>();
      var.observe(
          a -> {
            if (a instanceof Addr.Bound b && b.addresses().size() == endpoints) {
              seen.putIfAbsent(b.addresses().get(0).port(), System.nanoTime());
            }
          });
      awaitPort(var, 10_000);

      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long cpuBefore = namerCpu(mx);
      long wallStart = System.nanoTime();
      List<Long> micros = new ArrayList<>();
      for (int r = 1; r <= rounds; r++) {
        long roundStart = System.nanoTime();
        int port = 10_000 + r;
        long sent = System.nanoTime();
        api.endpoints("bench", "users", Map.of(), ips, List.of(), Map.of("http", port));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!seen.containsKey(port) && System.nanoTime() < deadline) {
          LockSupport.parkNanos(200_000);
        }
        Long at = seen.get(port);
        long replaced = api.lastReplaceNanos() > sent ? api.lastReplaceNanos() : sent;
        micros.add(at == null ? 5_000_000L : (at - replaced) / 1000);
        long rest = 1_000_000_000L - (System.nanoTime() - roundStart);
        if (rest > 0) {
          LockSupport.parkNanos(rest);
        }
      }
      long cpu = namerCpu(mx) - cpuBefore;
      double wall = (System.nanoTime() - wallStart) / 1e9;
      System.out.println("per round (ms, in order): " + micros.stream().map(m -> String.valueOf(m / 1000)).toList());
      Collections.sort(micros);
      System.out.printf(
          "io.l5d.k8s: %d endpoints, %d changes 1/s: change->Var p50 %.1f ms, p99 %.1f ms, max %.1f ms; namer threads CPU %.0f ms over %.1f s (%.2f%% of one core)%n",
          endpoints,
          rounds,
          micros.get(micros.size() / 2) / 1000.0,
          micros.get(Math.min(micros.size() - 1, (int) Math.ceil(micros.size() * 0.99) - 1)) / 1000.0,
          micros.get(micros.size() - 1) / 1000.0,
          cpu / 1e6,
          wall,
          cpu / 1e9 / wall * 100);
    }
  }

  private static void awaitPort(Var<Addr> var, int port) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!(var.get() instanceof Addr.Bound b && !b.addresses().isEmpty() && b.addresses().get(0).port() == port)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the name never bound: " + var.get());
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** CPU nanoseconds of the namer's own threads (its scheduler and HTTP executor). */
  private static long namerCpu(ThreadMXBean mx) {
    long sum = 0;
    for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("turnout-k8s-")) {
        long t = mx.getThreadCpuTime(info.getThreadId());
        sum += Math.max(0, t);
      }
    }
    return sum;
  }
}
