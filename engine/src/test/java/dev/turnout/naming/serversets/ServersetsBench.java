package dev.turnout.naming.serversets;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Name;
import dev.turnout.naming.Var;
import dev.turnout.testing.Await;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.zookeeper.CreateMode;

/**
 * Figures for the serversets namer (a main, not a test): 1,000 members behind one name in a real
 * ZooKeeper server, {@code CHURN} of them replaced once a second for {@code TICKS} seconds, each tick's
 * writes pipelined. Prints p50/p99 of the time from a member's write being issued to the name's
 * variable showing it joined (or left), of a whole tick's writes to the variable showing all of them,
 * and the CPU time of the namer's threads (its loop, Curator's and the ZooKeeper client's).
 *
 * <pre>
 * mvn -q -pl engine test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
 *   "-Dexec.args=-cp %classpath dev.turnout.naming.serversets.ServersetsBench"
 * </pre>
 */
public final class ServersetsBench {
  private static final int MEMBERS = 1_000;
  private static final int CHURN = Integer.getInteger("churn", 50);
  private static final int TICKS = Integer.getInteger("ticks", 20);
  private static final String SET = "/bench/users";

  private record Update(long at, Set<Integer> ports) {}

  public static void main(String[] args) throws Exception {
    try (Registry zk = new Registry()) {
      Deque<String> live = new ArrayDeque<>();
      Map<String, Integer> portOf = new HashMap<>();
      int nextPort = 10_000;
      for (int i = 0; i < MEMBERS; i++) {
        String m = zk.join(SET, nextPort);
        live.add(m);
        portOf.put(m, nextPort++);
      }

      // The namer is made on a thread of its own name, so the ZooKeeper client's threads carry it too.
      AtomicReference<ServersetNamer> made = new AtomicReference<>();
      Thread init =
          new Thread(
              () -> made.set(new ServersetNamer(zk.connectString(), ServersetNamer.DEFAULT_PREFIX, Duration.ofSeconds(10), Clock.systemUTC())),
              "turnout-serversets-bench");
      init.start();
      init.join();
      try (ServersetNamer namer = made.get()) {
        Var<Addr> addr = settle(namer);
        ConcurrentLinkedQueue<Update> updates = new ConcurrentLinkedQueue<>();
        addr.observe(a -> updates.add(new Update(System.nanoTime(), ports(a))));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpuBefore = namerCpu(mx);
        long wallBefore = System.nanoTime();

        List<Long> acks = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Long> joinAcked = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Integer, Long> leaveAcked = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Integer, Long> joinIssued = new HashMap<>();
        Map<Integer, Long> leaveIssued = new HashMap<>();
        List<long[]> ticks = new ArrayList<>(); // {first write issued, tick index}
        List<Set<Integer>> tickFinal = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < TICKS; t++) {
          LockSupport.parkNanos(start + TimeUnit.SECONDS.toNanos(t + 1) - System.nanoTime());
          CountDownLatch done = new CountDownLatch(2 * CHURN);
          long first = System.nanoTime();
          for (int i = 0; i < CHURN; i++) {
            String old = live.poll();
            long leaveAt = System.nanoTime();
            int leaving = portOf.get(old);
            leaveIssued.put(leaving, leaveAt);
            zk.announcer.delete().inBackground((c, e) -> {
              long now = System.nanoTime();
              acks.add(now - leaveAt);
              leaveAcked.put(leaving, now);
              done.countDown();
            }).forPath(old);
            int port = nextPort++;
            long joinAt = System.nanoTime();
            joinIssued.put(port, joinAt);
            String data = Registry.json("127.0.0.1", port, "ALIVE", Map.of(), null);
            zk.announcer.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .inBackground((c, e) -> {
                  long now = System.nanoTime();
                  acks.add(now - joinAt);
                  joinAcked.put(port, now);
                  synchronized (live) {
                    live.add(e.getName());
                    portOf.put(e.getName(), port);
                  }
                  done.countDown();
                })
                .forPath(SET + "/member_", data.getBytes(StandardCharsets.UTF_8));
          }
          if (!done.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("tick " + t + ": writes not acknowledged in 10 s");
          }
          synchronized (live) {
            Set<Integer> expected = new HashSet<>();
            for (String m : live) {
              expected.add(portOf.get(m));
            }
            tickFinal.add(expected);
          }
          ticks.add(new long[] {first, t});
        }
        Set<Integer> last = tickFinal.get(tickFinal.size() - 1);
        Await.until("the last tick shows", Duration.ofSeconds(10), () -> ports(addr.get()).equals(last));
        long cpu = namerCpu(mx) - cpuBefore;
        long wall = System.nanoTime() - wallBefore;

        List<Update> seen = new ArrayList<>(updates);
        List<Long> joins = new ArrayList<>();
        List<Long> leaves = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : joinIssued.entrySet()) {
          seen.stream().filter(u -> u.at() >= e.getValue() && u.ports().contains(e.getKey())).findFirst()
              .ifPresent(u -> joins.add(u.at() - e.getValue()));
        }
        for (Map.Entry<Integer, Long> e : leaveIssued.entrySet()) {
          seen.stream().filter(u -> u.at() >= e.getValue() && !u.ports().contains(e.getKey())).findFirst()
              .ifPresent(u -> leaves.add(u.at() - e.getValue()));
        }
        // what the namer adds once ZooKeeper has committed a write (negative: seen before the writer heard back)
        List<Long> afterAck = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : joinAcked.entrySet()) {
          long issued = joinIssued.get(e.getKey());
          seen.stream().filter(u -> u.at() >= issued && u.ports().contains(e.getKey())).findFirst()
              .ifPresent(u -> afterAck.add(u.at() - e.getValue()));
        }
        for (Map.Entry<Integer, Long> e : leaveAcked.entrySet()) {
          long issued = leaveIssued.get(e.getKey());
          seen.stream().filter(u -> u.at() >= issued && !u.ports().contains(e.getKey())).findFirst()
              .ifPresent(u -> afterAck.add(u.at() - e.getValue()));
        }
        List<Long> whole = new ArrayList<>();
        for (int t = 0; t < ticks.size(); t++) {
          long first = ticks.get(t)[0];
          Set<Integer> want = tickFinal.get(t);
          seen.stream().filter(u -> u.at() >= first && u.ports().equals(want)).findFirst()
              .ifPresent(u -> whole.add(u.at() - first));
        }
        System.out.printf(
            "serversets: %d members behind one name, %d replaced per second for %d s (%d joins, %d leaves), %d variable updates%n",
            MEMBERS, CHURN, TICKS, joinIssued.size(), leaveIssued.size(), seen.size());
        System.out.printf("  write->acknowledged by ZooKeeper (the registry's own share): p50 %s  p99 %s  (n=%d)%n",
            ms(acks, 50), ms(acks, 99), acks.size());
        System.out.printf("  acknowledged->Var (the namer's own share, joins and leaves): p50 %s  p99 %s  (n=%d)%n",
            ms(afterAck, 50), ms(afterAck, 99), afterAck.size());
        System.out.printf("  join  write->Var: p50 %s  p99 %s  (n=%d)%n", ms(joins, 50), ms(joins, 99), joins.size());
        System.out.printf("  leave write->Var: p50 %s  p99 %s  (n=%d)%n", ms(leaves, 50), ms(leaves, 99), leaves.size());
        System.out.printf("  whole tick (first write -> Var shows all %d changes): p50 %s  p99 %s  (n=%d)%n",
            2 * CHURN, ms(whole, 50), ms(whole, 99), whole.size());
        System.out.printf("  namer CPU: %.1f ms over %.1f s (%.2f%% of one core)%n",
            cpu / 1e6, wall / 1e9, 100.0 * cpu / wall);
      }
    }
  }

  private static Var<Addr> settle(ServersetNamer namer) {
    Path name = Path.read(SET);
    Await.until("1000 members show", Duration.ofSeconds(30), () -> {
      NameTree<Name> t = namer.lookup(name);
      return t instanceof NameTree.Leaf<Name> l && ports(bound(l).addr().get()).size() == MEMBERS;
    });
    return bound((NameTree.Leaf<Name>) namer.lookup(name)).addr();
  }

  private static BoundName bound(NameTree.Leaf<Name> leaf) {
    return ((Name.Resolved) leaf.value()).bound();
  }

  private static Set<Integer> ports(Addr a) {
    Set<Integer> out = new HashSet<>();
    if (a instanceof Addr.Bound b) {
      for (Address x : b.addresses()) {
        out.add(x.port());
      }
    }
    return out;
  }

  private static long namerCpu(ThreadMXBean mx) {
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("turnout-serversets")) {
        long c = mx.getThreadCpuTime(t.getId());
        sum += Math.max(c, 0);
      }
    }
    return sum;
  }

  private static String ms(List<Long> nanos, int pct) {
    if (nanos.isEmpty()) {
      return "-";
    }
    List<Long> s = new ArrayList<>(nanos);
    Collections.sort(s);
    long v = s.get(Math.min(s.size() - 1, (int) Math.ceil(pct / 100.0 * s.size()) - 1));
    return String.format("%.1f ms", v / 1e6);
  }

  private ServersetsBench() {}
}
