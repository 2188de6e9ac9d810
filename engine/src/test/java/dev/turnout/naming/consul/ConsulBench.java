package dev.turnout.naming.consul;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Name;
import dev.turnout.naming.Var;
import dev.turnout.naming.consul.ConsulStandIn.Instance;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Figures for the consul namer (a main, not a test): 1,000 instances behind one name, all moved to
 * new ports once a second for {@code SECONDS} s on the stand-in; prints p50/p99 of the time from the
 * registration to the bound variable holding the new set, and the CPU the namer's threads (its own and
 * the JDK HTTP client's) spent.
 *
 * <pre>
 * mvn -q -o -pl engine test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
 *   "-Dexec.args=-cp %classpath dev.turnout.naming.consul.ConsulBench"
 * </pre>
 */
public final class ConsulBench {
  private static final int INSTANCES = 1_000;
  private static final int SECONDS = 20;

  private ConsulBench() {}

  public static void main(String[] args) throws Exception {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Long> cpu = new HashMap<>();
    try (ConsulStandIn consul = new ConsulStandIn("dc1")) {
      consul.register("dc1", "web", instances(10_000));
      ConsulNamer namer =
          new ConsulNamer(
              ConsulSettings.defaults(consul.host(), consul.port()).withWait(Duration.ofSeconds(60)),
              ConsulNamer.DEFAULT_PREFIX);
      NameTree<Name> tree = namer.lookup(Path.read("/dc1/web"));
      Var<Addr> addr = ((Name.Resolved) ((NameTree.Leaf<Name>) tree).value()).bound().addr();
      await(() -> addr.get() instanceof Addr.Bound b && b.addresses().size() == INSTANCES);

      Map<Integer, Long> registeredAt = new ConcurrentHashMap<>();
      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      addr.observe(
          a -> {
            long now = System.nanoTime();
            if (a instanceof Addr.Bound b && !b.addresses().isEmpty()) {
              Long at = registeredAt.remove(b.addresses().get(0).port());
              if (at != null) {
                latencies.add(now - at);
              }
            }
          });
      sample(mx, cpu);
      long cpuBefore = total(cpu);
      long start = System.nanoTime();
      for (int round = 1; round <= SECONDS; round++) {
        int base = 10_000 + (round % 2) * 20_000 + round;
        registeredAt.put(base, System.nanoTime());
        consul.register("dc1", "web", instances(base));
        long next = start + Duration.ofSeconds(round).toNanos();
        while (System.nanoTime() < next) {
          LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
          sample(mx, cpu);
        }
      }
      sample(mx, cpu);
      long cpuUsed = total(cpu) - cpuBefore;
      long wall = System.nanoTime() - start;
      namer.close();

      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      System.out.printf(
          "consul namer, %d instances behind one name, %d changes (%d seen): change-to-Var p50 %.2f ms, p99 %.2f ms,"
              + " max %.2f ms; namer CPU %.0f ms over %.1f s wall (%.2f%% of one core), %d queries%n",
          INSTANCES, SECONDS, sorted.size(), ms(pct(sorted, 0.50)), ms(pct(sorted, 0.99)),
          ms(sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1)), cpuUsed / 1e6, wall / 1e9,
          100.0 * cpuUsed / wall, consul.seen().size());
    }
  }

  private static Instance[] instances(int basePort) {
    Instance[] out = new Instance[INSTANCES];
    for (int i = 0; i < INSTANCES; i++) {
      out[i] = Instance.at("node-" + i, basePort + i).serviceAddress("10.0." + (i / 250) + "." + (i % 250 + 1));
    }
    return out;
  }

  /** Keeps the highest CPU time seen for each of the namer's threads (they may end before the last look). */
  private static void sample(ThreadMXBean mx, Map<Long, Long> cpu) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String n = t.getName();
      if (n.startsWith("turnout-consul") || n.startsWith("HttpClient-")) {
        long c = mx.getThreadCpuTime(t.getId());
        if (c > 0) {
          cpu.merge(t.getId(), c, Math::max);
        }
      }
    }
  }

  private static long total(Map<Long, Long> cpu) {
    return cpu.values().stream().mapToLong(Long::longValue).sum();
  }

  private static long pct(List<Long> sorted, double p) {
    return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static void await(java.util.function.BooleanSupplier c) {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the namer never bound the first set");
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }
}
