package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The most watch streams a control plane holds follows from its open-file limit and its heap. */
class WatchLimitsDerivedTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void theLauncherHeapBoundsStreamsBeforeTheOpenFileLimitDoes() {
    assertThat(DtabWatches.Limits.derived(20_000, 128 * MIB).maxStreams()).isEqualTo(5_461);
  }

  @Test
  void aLargeHeapIsBoundedByThreeQuartersOfTheFilesLeftAfterTheProxysShare() {
    assertThat(DtabWatches.Limits.derived(20_000, 4096 * MIB).maxStreams()).isEqualTo((20_000 - 1024) * 3 / 4);
  }

  @Test
  void tenThousandStreamsFitTwentyThousandFilesAndA256MiBHeap() {
    // 245 MiB: what Runtime.maxMemory() says under -Xmx256m with the Parallel collector
    assertThat(DtabWatches.Limits.derived(20_000, 245 * MIB).maxStreams()).isGreaterThanOrEqualTo(10_000);
  }

  @Test
  void thisJvmsLimitIsPositiveAndSaysWhereItComesFrom() {
    DtabWatches.Limits limits = DtabWatches.Limits.derived();

    assertThat(limits.maxStreams()).isPositive();
    assertThat(limits.describe()).contains("open files").contains("max heap");
  }

  @Test
  void aLimitBelowOneIsRefusedWithTheReason() {
    assertThatThrownBy(() -> new DtabWatches.Limits(0, 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}
