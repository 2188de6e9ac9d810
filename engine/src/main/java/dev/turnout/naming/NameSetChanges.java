package dev.turnout.naming;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every namer keeps for {@link Namer#generation()} and {@link Namer#onChange(Runnable)}: a count
 * of the changes to the set of names it knows, and the listeners told of each. A listener that fails is
 * logged and the others are still told: a namer's thread must not die of a caller's bug.
 */
public final class NameSetChanges {
  private static final Logger LOG = LoggerFactory.getLogger(NameSetChanges.class);

  private final String owner;
  private final AtomicLong generation = new AtomicLong();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** @param owner the namer, in words for the log ({@code the consul namer}) */
  public NameSetChanges(String owner) {
    this.owner = owner;
  }

  public long generation() {
    return generation.get();
  }

  public AutoCloseable onChange(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** The set of names changed: the generation grows, then every listener runs. */
  public void changed() {
    generation.incrementAndGet();
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.warn("a listener of {} failed: {}", owner, e.toString());
      }
    }
  }
}
