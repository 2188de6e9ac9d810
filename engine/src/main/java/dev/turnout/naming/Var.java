package dev.turnout.naming;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A value that changes over time. Readers call {@link #get()} (a volatile read, never a lock), so a
 * request thread can read it freely; observers hear each change once, on the thread that made it.
 *
 * <p>{@link #map(Function)} gives a read-only view that follows this variable without copying it: its
 * value is computed from the current source value when read, so a namer that updates a variable in
 * place is seen through every view made from it.
 */
public final class Var<T> {
  private volatile T value;
  private final List<Consumer<? super T>> observers;
  /** For a view: where the value comes from; null for a settable variable. */
  private final Source<T> view;

  public Var(T initial) {
    this.value = Objects.requireNonNull(initial);
    this.observers = new CopyOnWriteArrayList<>();
    this.view = null;
  }

  private Var(Source<T> view) {
    this.value = null;
    this.observers = List.of();
    this.view = view;
  }

  public T get() {
    return view == null ? value : view.get();
  }

  /**
   * Sets a new value; observers are told only when it differs from the old one.
   *
   * @throws UnsupportedOperationException on a view made by {@link #map(Function)}
   */
  public void set(T next) {
    if (view != null) {
      throw new UnsupportedOperationException("a mapped Var follows its source and cannot be set");
    }
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
    if (view != null) {
      return view.observe(observer);
    }
    observers.add(observer);
    return () -> observers.remove(observer);
  }

  /** A read-only view whose value is always {@code f} of this variable's current value. */
  public <R> Var<R> map(Function<? super T, ? extends R> f) {
    return new Var<>(new View<>(this, f));
  }

  /**
   * A read-only view whose value is always {@code f} of the current values of {@code a} and {@code b},
   * told of a change of either (an address set rewritten by another live set, as a gateway transformer
   * rewrites a service's endpoints by the gateways on their nodes).
   */
  public static <A, B, R> Var<R> join(Var<A> a, Var<B> b, java.util.function.BiFunction<? super A, ? super B, ? extends R> f) {
    return new Var<>(new Join<>(a, b, f));
  }

  /** Where a view's value comes from. */
  private interface Source<R> {
    R get();

    AutoCloseable observe(Consumer<? super R> observer);
  }

  /** Two sources and their function, with the last result kept for repeated reads. */
  private static final class Join<A, B, R> implements Source<R> {
    private final Var<A> a;
    private final Var<B> b;
    private final java.util.function.BiFunction<? super A, ? super B, ? extends R> f;
    private volatile Object[] memo;

    Join(Var<A> a, Var<B> b, java.util.function.BiFunction<? super A, ? super B, ? extends R> f) {
      this.a = a;
      this.b = b;
      this.f = Objects.requireNonNull(f);
    }

    @Override
    @SuppressWarnings("unchecked")
    public R get() {
      A x = a.get();
      B y = b.get();
      Object[] m = memo;
      if (m != null && m[0] == x && m[1] == y) {
        return (R) m[2];
      }
      R r = Objects.requireNonNull(f.apply(x, y));
      memo = new Object[] {x, y, r};
      return r;
    }

    @Override
    public AutoCloseable observe(Consumer<? super R> observer) {
      AutoCloseable one = a.observe(x -> observer.accept(get()));
      AutoCloseable two = b.observe(y -> observer.accept(get()));
      return () -> {
        try {
          one.close();
        } finally {
          two.close();
        }
      };
    }
  }

  /** The source and function of a mapped variable, with the last result kept for repeated reads. */
  private static final class View<S, R> implements Source<R> {
    private final Var<S> source;
    private final Function<? super S, ? extends R> f;
    /** The last source value and its image; replaced as a pair so readers never mix two. */
    private volatile Memo<S, R> memo;

    View(Var<S> source, Function<? super S, ? extends R> f) {
      this.source = source;
      this.f = Objects.requireNonNull(f);
    }

    @Override
    public R get() {
      S s = source.get();
      Memo<S, R> m = memo;
      if (m != null && m.from == s) {
        return m.to;
      }
      R r = Objects.requireNonNull(f.apply(s));
      memo = new Memo<>(s, r);
      return r;
    }

    @Override
    public AutoCloseable observe(Consumer<? super R> observer) {
      return source.observe(s -> observer.accept(get()));
    }
  }

  private record Memo<S, R>(S from, R to) {}
}
