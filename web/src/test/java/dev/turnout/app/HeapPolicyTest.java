package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class HeapPolicyTest {

  /** One test, in order: the flags belong to the whole test JVM. */
  @Test
  void settlingSetsTheFreeRatiosOnceAndThenLeavesAnyoneElsesChoiceAlone() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    // The test JVM starts without these flags.
    assertThat(vm.getVMOption("MaxHeapFreeRatio").getOrigin()).isEqualTo(com.sun.management.VMOption.Origin.DEFAULT);

    HeapPolicy.settle();

    assertThat(vm.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo(String.valueOf(HeapPolicy.MIN_FREE_PERCENT));
    assertThat(vm.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo(String.valueOf(HeapPolicy.MAX_FREE_PERCENT));

    vm.setVMOption("MaxHeapFreeRatio", "50");
    HeapPolicy.settle();

    assertThat(vm.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo("50");
  }
}
