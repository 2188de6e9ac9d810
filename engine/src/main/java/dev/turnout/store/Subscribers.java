package dev.turnout.store;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers committed changes to listeners, each change once and in commit order.
 *
 * <p>A writer {@link #enqueue}s its event while it still holds the store's write lock, so the queue is
 * in commit order, and then calls {@link #deliver} after releasing it. Delivery happens under its own
 * lock: whichever writer holds it drains the queue, so one thread at a time delivers and events never
 * overtake each other. A writer's own event has been delivered when {@code deliver} returns, either by
 * itself or by the writer that drained before it; so when a write returns, every listener has heard it.
 * A listener that throws is logged and skipped; the others and the store carry on.
 */
final class Subscribers {
  private static final Logger log = LoggerFactory.getLogger(Subscribers.class);

  private final CopyOnWriteArrayList<Consumer<StoreEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Queue<StoreEvent> pending = new ConcurrentLinkedQueue<>();
  private final ReentrantLock delivering = new ReentrantLock();

  AutoCloseable add(Consumer<StoreEvent> listener) {
    if (listener == null) {
      throw new IllegalArgumentException("a subscriber needs a listener");
    }
    // a wrapper per subscription, so the same listener subscribed twice is removed once per close
    Consumer<StoreEvent> entry = listener::accept;
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  void enqueue(StoreEvent event) {
    pending.add(event);
  }

  void deliver() {
    delivering.lock();
    try {
      StoreEvent event;
      while ((event = pending.poll()) != null) {
        for (Consumer<StoreEvent> listener : listeners) {
          try {
            listener.accept(event);
          } catch (RuntimeException e) {
            log.warn(
                "a store listener failed on {} of '{}' version {}",
                event.kind(),
                event.namespace(),
                event.version().version(),
                e);
          }
        }
      }
    } finally {
      delivering.unlock();
    }
  }
}
