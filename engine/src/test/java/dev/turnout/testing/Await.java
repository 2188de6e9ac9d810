package dev.turnout.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a deadline, checking every few milliseconds; never sleeps blindly. The one
 * waiting helper of every module's tests (the web module and the browser tests reach it through the
 * engine's test-jar).
 */
public final class Await {
  private Await() {}

  public static void until(Duration deadline, BooleanSupplier condition) {
    until("the condition holds", deadline, condition);
  }

  /** As above; {@code what} names the awaited state in the failure, which may be thrown by the condition. */
  public static void until(String what, Duration deadline, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("timed out after " + deadline + " waiting until " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }
}
