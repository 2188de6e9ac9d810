package dev.turnout.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bound on concurrent password hashes: a check finding every slot taken is answered, not queued. */
class HashingSlotsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));

  @Test
  void aCheckFindingEverySlotTakenIsNotMade() throws Exception {
    LoginThrottle throttle = new LoginThrottle(clock, 1, Duration.ZERO);
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Optional<String>> holder =
        CompletableFuture.supplyAsync(
            () ->
                throttle.inHashingSlot(
                    () -> {
                      inside.countDown();
                      await(release);
                      return "first";
                    }));
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

    Optional<String> second = throttle.inHashingSlot(() -> "second");
    release.countDown();

    assertThat(second).isEmpty();
    assertThat(holder.get(10, TimeUnit.SECONDS)).contains("first");
    assertThat(throttle.inHashingSlot(() -> "third")).contains("third");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
