package dev.turnout.metrics;

import java.util.function.LongSupplier;

/**
 * The process's monotonic clock, as the one object every part takes by default. Each {@code
 * System::nanoTime} written in the source is a class of its own: two of them meeting at one call site
 * (the warm-up's router and the real one, say) make the JIT throw out code compiled for the first when
 * the second arrives, and compile again on live traffic. Tests pass clocks of their own.
 */
public final class Nanos {
  public static final LongSupplier SYSTEM = System::nanoTime;

  private Nanos() {}
}
