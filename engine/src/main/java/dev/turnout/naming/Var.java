package dev.turnout.naming;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A value that changes over time. Readers call {@link #get()} (a volatile read, never a lock), so a
 * request thread can read it freely; observers hear each change once, on the thread that made it.
 */
public final class Var<T> {
  private volatile T value;
  private final List<Consumer<? super T>> observers = new CopyOnWriteArrayList<>();

  public Var(T initial) {
    this.value = Objects.requireNonNull(initial);
  }

  public T get() {
    return value;
  }

  /** Sets a new value; observers are told only when it differs from the old one. */
  public void set(T next) {
    Objects.requireNonNull(next);
    T prev = value;
    value = next;
    if (!prev.equals(next)) {
      for (Consumer<? super T> o : observers) {
        o.accept(next);
      }
    }
  }

  /** Calls {@code observer} on every later change; closing the result stops it. */
  public AutoCloseable observe(Consumer<? super T> observer) {
    observers.add(observer);
    return () -> observers.remove(observer);
  }
}
