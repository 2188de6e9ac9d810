package dev.turnout.routing;

/**
 * Where a router's base dtab comes from. {@link #current()} is a volatile read, safe on an IO thread;
 * a change replaces the whole snapshot at once.
 */
public interface DtabSource extends AutoCloseable {

  RoutingSnapshot current();

  /** Runs {@code listener} after each new snapshot is in force; closing stops it. */
  AutoCloseable onChange(Runnable listener);

  /**
   * Completes once {@link #current()} holds the routes from where this source takes them: at once for
   * a fixed dtab or the store, after the first answer from a control plane for a follower. A router
   * does not take requests before: until then it knows no routes but its own {@code dtab:}.
   */
  default java.util.concurrent.CompletionStage<Void> ready() {
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  }

  @Override
  default void close() {}

  /** A fixed dtab, from the config file: version 0, never changing. @throws IllegalArgumentException */
  static DtabSource fixed(String dtabText) {
    RoutingSnapshot snapshot = RoutingSnapshot.of(java.util.Optional.empty(), 0, dtabText);
    return new DtabSource() {
      @Override
      public RoutingSnapshot current() {
        return snapshot;
      }

      @Override
      public AutoCloseable onChange(Runnable listener) {
        return () -> {};
      }
    };
  }
}
