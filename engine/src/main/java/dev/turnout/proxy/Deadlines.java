package dev.turnout.proxy;

import dev.turnout.proxy.upstream.PerIoThread;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * Request timeouts of one router, kept per IO thread in start order and swept every {@value
 * #SWEEP_MILLIS} ms. Every request of a router has the same timeout, so each thread's queue is already
 * sorted by deadline: adding is an append and the sweep stops at the first deadline still ahead. This
 * replaces a timer per request (a sorted set under a lock in XNIO) with no locking at all, at the price
 * of firing up to one sweep late. A finished request only drops its reference; its small entry leaves
 * the queue when the sweep reaches it.
 */
final class Deadlines implements AutoCloseable {
  static final long SWEEP_MILLIS = 50;

  private final long timeoutNanos;
  private final LongSupplier nanos;
  /** Each thread's queue, its sweep scheduled on that thread when the queue is made. */
  private final PerIoThread<PerThread> threads = new PerIoThread<>(this::queue);
  private final List<XnioExecutor.Key> sweeps = new CopyOnWriteArrayList<>();

  /** What has a deadline: told on its IO thread when the deadline has passed. */
  interface Timed {
    void timedOut();
  }

  /** One request's deadline; {@code request} is cleared when the request ends first. */
  static final class Entry {
    final long deadline;
    Timed request;

    Entry(long deadline, Timed request) {
      this.deadline = deadline;
      this.request = request;
    }
  }

  /** Touched only by its own IO thread. */
  private final class PerThread implements Runnable {
    final ArrayDeque<Entry> entries = new ArrayDeque<>();

    @Override
    public void run() {
      long now = nanos.getAsLong();
      Entry e;
      while ((e = entries.peekFirst()) != null) {
        if (e.request != null && e.deadline - now > 0) {
          return;
        }
        entries.pollFirst();
        Timed r = e.request;
        if (r != null) {
          e.request = null;
          r.timedOut();
        }
      }
    }
  }

  Deadlines(long timeoutNanos, LongSupplier nanos) {
    this.timeoutNanos = timeoutNanos;
    this.nanos = nanos;
  }

  /** Registers {@code request}, started now on {@code thread}; must be called on that thread. */
  Entry add(Timed request, XnioIoThread thread) {
    PerThread q = threads.get(thread);
    Entry e = new Entry(nanos.getAsLong() + timeoutNanos, request);
    q.entries.addLast(e);
    return e;
  }

  private PerThread queue(XnioIoThread thread) {
    PerThread q = new PerThread();
    sweeps.add(thread.executeAtInterval(q, SWEEP_MILLIS, TimeUnit.MILLISECONDS));
    return q;
  }

  @Override
  public void close() {
    sweeps.forEach(XnioExecutor.Key::remove);
  }
}
