package dev.turnout.app;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the heap close to what Turnout uses. Left alone, the JVM sizes its heap from the machine's
 * memory (a quarter of it at most, a sixty-fourth to start), and under steady proxy load G1 lets the
 * young generation fill most of that before collecting: on a 24 GiB machine a proxy with 20 MB of
 * live data held 300 to 400 MB. Turnout instead asks the collector to keep at most {@link
 * #MAX_FREE_PERCENT}% of the heap free after a full collection, and collects once when start-up is
 * over, so the heap starts from the live data plus that margin and grows only when collections would
 * otherwise take too much of the CPU. Both ratios are the JVM's own manageable flags; a flag given on
 * the command line ({@code -XX:MaxHeapFreeRatio}, {@code -Xmx} and the like) is left as it is.
 *
 * <p>Under load G1 grows the heap whenever collections take more than about 1% of the time (its
 * threshold while the heap is far below its maximum), and it gives memory back only after a full or a
 * concurrent collection, never after the young ones steady traffic causes: a proxy that had 60,000
 * requests a second held some 200 MB of heap for 15 MB of live data long after the load had stopped.
 * So Turnout also sets G1's manageable {@code G1PeriodicGCInterval} to {@link #IDLE_COLLECT_MILLIS}:
 * once no collection has run for that long (traffic has stopped or become light), G1 runs a concurrent
 * cycle and shrinks the heap to the ratios above. Under load it never fires, as young collections
 * keep coming.
 *
 * <p>All of this is for G1, the JVM's own choice on any host with two or more CPUs and 1792 MiB or
 * more. Under another collector nothing is set: the Serial collector reads the free ratios after every
 * collection, young ones included, and with 30% it kept a 128 MiB heap at 24 MiB and collected eight
 * times as often as G1 under the same load (754 collections against 172 in 90 s); the Parallel
 * collector's own sizing ignores them.
 */
final class HeapPolicy {
  private static final Logger log = LoggerFactory.getLogger(HeapPolicy.class);
  static final int MIN_FREE_PERCENT = Integer.getInteger("turnout.heap.minFree", 10);
  static final int MAX_FREE_PERCENT = Integer.getInteger("turnout.heap.maxFree", 30);
  static final long IDLE_COLLECT_MILLIS = Long.getLong("turnout.heap.idleCollectMillis", 5_000);

  private HeapPolicy() {}

  /**
   * Under G1, sets the free-heap ratios while they are the JVM's defaults (so neither a command-line
   * flag nor a later change through JMX is overridden); then, under any collector, collects once.
   */
  static void settle() {
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (vm != null && Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue())) {
        tuneG1(vm);
      }
    } catch (RuntimeException | LinkageError e) {
      // Not a HotSpot JVM, no jdk.management module, or the flags are not writable here: its own
      // sizing stays.
      log.debug("heap ratios left to the JVM: {}", e.toString());
    }
    System.gc();
  }

  private static void tuneG1(HotSpotDiagnosticMXBean vm) {
    if (MIN_FREE_PERCENT <= MAX_FREE_PERCENT
        && isDefault(vm, "MinHeapFreeRatio")
        && isDefault(vm, "MaxHeapFreeRatio")) {
      // Min first: the JVM refuses a max below the current min.
      vm.setVMOption("MinHeapFreeRatio", Integer.toString(MIN_FREE_PERCENT));
      vm.setVMOption("MaxHeapFreeRatio", Integer.toString(MAX_FREE_PERCENT));
    }
    if (IDLE_COLLECT_MILLIS > 0 && isDefault(vm, "G1PeriodicGCInterval")) {
      vm.setVMOption("G1PeriodicGCInterval", Long.toString(IDLE_COLLECT_MILLIS));
    }
  }

  private static boolean isDefault(HotSpotDiagnosticMXBean vm, String flag) {
    return vm.getVMOption(flag).getOrigin() == com.sun.management.VMOption.Origin.DEFAULT;
  }
}
