package dev.turnout.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a deadline, checking every few milliseconds; never sleeps blindly. Shared
 * by the engine's and the web module's tests (through the engine's test-jar).
 */
public final class Await {
  private Await() {}

  public static void until(Duration deadline, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("condition not met within " + deadline);
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }
}
