package dev.turnout.naming.dnssrv;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Name;
import dev.turnout.testing.Await;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The io.l5d.dnssrv namer's figures, printed, never asserted (a main, not run by surefire): a real
 * dnsmasq holds 100 SRV records behind one name, each target with 10 addresses: 1,000 endpoints, all moved once a second
 * (at a random point of each second, so the moves do not lock to the refresh) for about 20 s by rewriting
 * the hosts file dnsmasq watches; the namer refreshes every second. (Not 1,000 records of one address:
 * dnsmasq's answer to that, 50 KB over TCP, has compression pointers past 16 KB that wrap, which dnsjava
 * rightly refuses; the namer then keeps its last endpoints.) Printed: p50/p99/max of the time
 * from each move to the name's variable holding the moved set, and the CPU time of the namer's threads
 * and dnsjava's. Run with the engine's test classpath: {@code java -cp ... dev.turnout.naming.dnssrv.DnsSrvBench}.
 */
public final class DnsSrvBench {
  private static final int TARGETS = 100;
  private static final int PER_TARGET = 10;
  private static final int ENDPOINTS = TARGETS * PER_TARGET;
  private static final int MOVES = 20;
  private static final String NAME = "_http._tcp.big.test";
  /** Each move lands at a random point of its second, so the moves do not lock to the refresh. */
  private static final long JITTER_NANOS = 900_000_000L;

  private DnsSrvBench() {}

  public static void main(String[] args) throws Exception {
    java.nio.file.Path dir = Files.createTempDirectory("dnssrv-bench");
    List<String> records = new ArrayList<>();
    for (int i = 0; i < TARGETS; i++) {
      records.add(Dnsmasq.srv(NAME, target(i), 10_000 + i, 0, 1));
    }
    try (Dnsmasq dns = Dnsmasq.start(dir, records)) {
      writeHosts(dns, 0);
      DnsSrvNamer namer =
          new DnsSrvNamer(
              DnsSrvNamer.DEFAULT_PREFIX, List.of(dns.server()), Duration.ofSeconds(1), DnsSrvNamer.DEFAULT_QUERY_TIMEOUT,
              Clock.systemUTC());
      try (namer) {
        BoundName name = ((Name.Resolved) ((NameTree.Leaf<Name>) namer.lookup(Path.of(NAME))).value()).bound();
        Await.until("the first 1,000 endpoints", Duration.ofSeconds(30), () -> round(name.addr().get()) == 0);
        // When each round was written; a round the namer skips (a newer one came before its refresh)
        // counts as reached when a newer one is seen, as its endpoints are gone by then.
        java.util.Map<Integer, Long> movedAt = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger seenUpTo = new java.util.concurrent.atomic.AtomicInteger();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        name.addr().observe(a -> {
          long now = System.nanoTime();
          int r = round(a);
          for (int k = seenUpTo.get() + 1; k <= r; k++) {
            Long at = movedAt.get(k);
            if (at != null) {
              latencies.add(now - at);
            }
          }
          seenUpTo.accumulateAndGet(r, Math::max);
        });
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpuBefore = namerCpu(mx);
        long wallStart = System.nanoTime();
        for (int r = 1; r <= MOVES; r++) {
          long next = wallStart + r * 1_000_000_000L + ThreadLocalRandom.current().nextLong(JITTER_NANOS);
          while (System.nanoTime() < next) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
          }
          movedAt.put(r, System.nanoTime());
          writeHosts(dns, r);
        }
        Await.until("the last move seen", Duration.ofSeconds(10), () -> seenUpTo.get() >= MOVES);
        long wall = System.nanoTime() - wallStart;
        long cpu = namerCpu(mx) - cpuBefore;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "io.l5d.dnssrv: %d endpoints behind one name, %d moves measured of %d, refresh 1 s%n",
            ENDPOINTS, sorted.size(), MOVES);
        System.out.printf(Locale.ROOT, "move -> variable updated: p50 %d ms, p99 %d ms, max %d ms%n",
            ms(pct(sorted, 0.50)), ms(pct(sorted, 0.99)), ms(sorted.get(sorted.size() - 1)));
        System.out.printf(Locale.ROOT, "namer + dnsjava threads CPU: %d ms over %.1f s wall (%.1f%% of one core)%n",
            cpu / 1_000_000, wall / 1e9, 100.0 * cpu / wall);
        System.out.println("namer status: " + namer.status().orElseThrow());
      }
    }
  }

  private static String target(int i) {
    return String.format(Locale.ROOT, "h%04d.big.test", i);
  }

  /** Round {@code r}'s addresses: 127.R.T.K, R = r + 1, so each move changes every endpoint. */
  private static String ip(int round, int target, int k) {
    return "127." + (round % 250 + 1) + "." + target + "." + (k + 1);
  }

  private static void writeHosts(Dnsmasq dns, int round) throws Exception {
    StringBuilder b = new StringBuilder();
    for (int t = 0; t < TARGETS; t++) {
      for (int k = 0; k < PER_TARGET; k++) {
        b.append(ip(round, t, k)).append(' ').append(target(t)).append('\n');
      }
    }
    java.nio.file.Path tmp = dns.hostsDir().getParent().resolve("hosts.tmp");
    Files.writeString(tmp, b);
    Files.move(tmp, dns.hostsDir().resolve("hosts"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The round every endpoint of {@code a} belongs to, or -1 when they are not all of one round. */
  private static int round(Addr a) {
    if (!(a instanceof Addr.Bound b) || b.addresses().size() != ENDPOINTS) {
      return -1;
    }
    int round = -2;
    for (Address e : b.addresses()) {
      int r = Integer.parseInt(e.host().substring(4, e.host().indexOf('.', 4))) - 1;
      if (round == -2) {
        round = r;
      } else if (round != r) {
        return -1;
      }
    }
    return round;
  }

  private static long namerCpu(ThreadMXBean mx) {
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String n = t.getName().toLowerCase(Locale.ROOT);
      if (n.startsWith("turnout-dnssrv") || n.contains("dnsjava")) {
        long c = mx.getThreadCpuTime(t.getId());
        total += Math.max(0, c);
      }
    }
    return total;
  }

  private static long pct(List<Long> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
