package dev.turnout.proxy.upstream;

import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.xnio.XnioIoThread;

/**
 * One value per XNIO IO thread, found on the request path by the thread's number in its worker (an
 * array slot) rather than by a hash lookup keyed by the thread. A {@link ConcurrentHashMap} keyed by
 * {@code Thread} costs the thread's identity hash and a probe on every request; under {@code wrk -c64}
 * the per-thread maps of a request's timeouts and connection pools were 0.5% of the proxy's CPU.
 *
 * <p>A slot belongs to the first thread of that number to ask; a thread of another worker with the
 * same number (tests run several proxies in one JVM) is found in the map every value is kept in,
 * which is also what {@link #values()} reads. A value is made once per thread, by {@code make}, on
 * the first {@link #get} for it.
 */
public final class PerIoThread<T> {
  private final Function<XnioIoThread, T> make;
  private final ConcurrentHashMap<XnioIoThread, T> all = new ConcurrentHashMap<>();
  /** Indexed by thread number; replaced whole when it grows, so a reader never sees a half-made one. */
  private volatile Slot<T>[] slots = newSlots(0);

  private record Slot<T>(XnioIoThread thread, T value) {}

  public PerIoThread(Function<XnioIoThread, T> make) {
    this.make = make;
  }

  /** {@code thread}'s value, made on its first call. */
  public T get(XnioIoThread thread) {
    Slot<T>[] s = slots;
    int n = thread.getNumber();
    if (n >= 0 && n < s.length) {
      Slot<T> slot = s[n];
      if (slot != null && slot.thread == thread) {
        return slot.value;
      }
    }
    T value = all.get(thread); // a thread whose number's slot another worker's thread holds
    return value != null ? value : slow(thread, n);
  }

  private synchronized T slow(XnioIoThread thread, int n) {
    T value = all.computeIfAbsent(thread, make);
    if (n >= 0 && n < 1024) {
      Slot<T>[] s = slots;
      if (n >= s.length) {
        s = Arrays.copyOf(s, n + 1);
      } else if (s[n] == null) {
        s = s.clone();
      } else {
        return value; // the number is another worker's thread's
      }
      s[n] = new Slot<>(thread, value);
      slots = s;
    }
    return value;
  }

  /** Every thread's value made so far. */
  public Collection<T> values() {
    return all.values();
  }

  @SuppressWarnings("unchecked")
  private static <T> Slot<T>[] newSlots(int n) {
    return (Slot<T>[]) new Slot<?>[n];
  }
}
