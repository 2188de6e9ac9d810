package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HeapPolicyTest {

  /**
   * One test, in order: the flags belong to the whole test JVM, where a server started by another
   * test (with a warm-up) may already have settled the heap.
   */
  @Test
  void settlingSetsTheFreeRatiosAndTheIdleCollectionAndThenLeavesAnyoneElsesChoiceAlone() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    assumeTrue(Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue()), "the test JVM runs G1");

    HeapPolicy.settle();

    assertThat(vm.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo(String.valueOf(HeapPolicy.MIN_FREE_PERCENT));
    assertThat(vm.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo(String.valueOf(HeapPolicy.MAX_FREE_PERCENT));
    assertThat(vm.getVMOption("G1PeriodicGCInterval").getValue()).isEqualTo(String.valueOf(HeapPolicy.IDLE_COLLECT_MILLIS));

    vm.setVMOption("MaxHeapFreeRatio", "50");
    try {
      HeapPolicy.settle();

      assertThat(vm.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo("50");
    } finally {
      vm.setVMOption("MaxHeapFreeRatio", String.valueOf(HeapPolicy.MAX_FREE_PERCENT));
    }
  }

  /** In a JVM of its own, since the collector is fixed when a JVM starts. */
  @Test
  void underAnotherCollectorTheJvmsOwnRatiosStay() throws Exception {
    // The JVM's own ratios differ by collector: 40 and 70 for Serial and G1, 0 and 100 for Parallel.
    assertThat(settledRatiosIn("-XX:+UseSerialGC")).isEqualTo("40 70 -> 40 70");
    assertThat(settledRatiosIn("-XX:+UseParallelGC")).isEqualTo("0 100 -> 0 100");
    assertThat(settledRatiosIn("-XX:+UseG1GC"))
        .isEqualTo("40 70 -> " + HeapPolicy.MIN_FREE_PERCENT + " " + HeapPolicy.MAX_FREE_PERCENT);
  }

  /** What {@link SettleAndPrint} printed under the given collector: the free ratios before and after. */
  private static String settledRatiosIn(String collector) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                collector,
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                SettleAndPrint.class.getName())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
      assertThat(child.exitValue()).as("its exit status").isZero();
      return out;
    } finally {
      child.destroyForcibly();
    }
  }

  /** The child JVM: prints MinHeapFreeRatio and MaxHeapFreeRatio, settles the heap, prints them again. */
  static final class SettleAndPrint {
    public static void main(String[] args) {
      String before = ratios();
      HeapPolicy.settle();
      System.out.println(before + " -> " + ratios());
    }

    private static String ratios() {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return vm.getVMOption("MinHeapFreeRatio").getValue() + " " + vm.getVMOption("MaxHeapFreeRatio").getValue();
    }
  }
}
