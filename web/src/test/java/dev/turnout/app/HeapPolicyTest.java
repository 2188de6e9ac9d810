package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class HeapPolicyTest {

  /**
   * One test, in order: the flags belong to the whole test JVM, where a server started by another
   * test (with a warm-up) may already have settled the heap.
   */
  @Test
  void settlingSetsTheFreeRatiosAndTheIdleCollectionAndThenLeavesAnyoneElsesChoiceAlone() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

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
}
