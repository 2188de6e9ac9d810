package dev.turnout.proxy;

import dev.turnout.proxy.upstream.PerIoThread;
import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.DirectByteBufferDeallocator;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.xnio.XnioIoThread;

/**
 * The buffers the proxy's servers and upstream connections read and write through, taken and given back
 * without a lock. Undertow's own pool (2.3.x) keeps its "thread-local" caches in one synchronized map
 * shared by every thread, so each buffer taken or given back passes one lock all IO threads share.
 *
 * <p>Here an XNIO IO thread keeps up to {@code perThread} buffers of its own (a {@link PerIoThread} slot
 * touched by that thread alone); past that, and for every other thread (Undertow's task threads, tests),
 * buffers go to a bounded shared queue without locks, and past its bound they are released (a direct one
 * at once, as Undertow's pool does). So the memory kept is at most {@code perThread} buffers per IO thread
 * plus {@code shared}; threads that are not IO threads keep nothing.
 *
 * <p>A buffer given back twice is given back once: the second {@link PooledByteBuffer#close()} does
 * nothing, as with Undertow's pool, and {@link PooledByteBuffer#getBuffer()} after a close throws.
 * {@link #outstanding()} counts the buffers taken and not yet given back, for tests and leak checks.
 */
public final class IoBufferPool implements ByteBufferPool {
  private final boolean direct;
  private final int size;
  private final int perThread;
  private final Shared shared;
  /** Each IO thread's cache, found by the thread's number: a thread-local lookup per buffer cost more. */
  private final PerIoThread<Cache> caches = new PerIoThread<>(this::newCache);
  /** every IO thread's cache, so that close() can release those of threads that have ended */
  private final ConcurrentLinkedQueue<Cache> allCaches = new ConcurrentLinkedQueue<>();
  /** takes and give-backs on threads that are not IO threads (those count in their caches) */
  private final LongAdder taken = new LongAdder();
  private final LongAdder givenBack = new LongAdder();
  private final LongAdder made = new LongAdder();
  private final IoBufferPool heap;
  private volatile boolean closed;

  /**
   * @param direct direct buffers (off the heap) or heap ones
   * @param size each buffer's capacity in bytes
   * @param perThread how many buffers each IO thread keeps for itself
   * @param shared how many buffers the shared queue keeps
   */
  public IoBufferPool(boolean direct, int size, int perThread, int shared) {
    if (size <= 0 || perThread < 0 || shared < 0) {
      throw new IllegalArgumentException("size " + size + ", perThread " + perThread + ", shared " + shared);
    }
    this.direct = direct;
    this.size = size;
    this.perThread = perThread;
    this.shared = new Shared(shared);
    // Undertow's array-backed companion keeps nothing (heap buffers are the collector's); nor does this one
    this.heap = direct ? new IoBufferPool(false, size, 0, 0) : this;
  }

  @Override
  public PooledByteBuffer allocate() {
    if (closed) {
      throw new IllegalStateException("the buffer pool is closed");
    }
    ByteBuffer b = null;
    Cache cache = cache();
    if (cache != null) {
      b = cache.pop();
    }
    if (b == null) {
      b = shared.poll();
    }
    if (b == null) {
      made.increment();
      b = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    } else {
      b.clear();
    }
    if (cache != null) {
      cache.taken++;
    } else {
      taken.increment();
    }
    return new Pooled(this, b);
  }

  /** Takes back a buffer whose holder has closed it (once: {@link Pooled#close()} sees to that). */
  private void giveBack(ByteBuffer b) {
    Cache cache = cache();
    if (cache != null) {
      cache.givenBack++;
    } else {
      givenBack.increment();
    }
    if (closed) {
      release(b);
      if (cache != null) {
        cache.drain(this);
      }
      return;
    }
    if (cache != null && cache.push(b)) {
      return;
    }
    if (!shared.offer(b)) {
      release(b);
    } else if (closed) {
      // close() may have drained the queue just before this offer
      drainShared();
    }
  }

  /** This thread's cache if it is an IO thread (made on its first call), otherwise null. */
  private Cache cache() {
    if (perThread == 0 || !(Thread.currentThread() instanceof XnioIoThread io)) {
      return null;
    }
    return caches.get(io);
  }

  private Cache newCache(XnioIoThread thread) {
    Cache c = new Cache(thread, perThread);
    allCaches.add(c);
    return c;
  }

  private void release(ByteBuffer b) {
    if (direct) {
      DirectByteBufferDeallocator.free(b);
    }
  }

  private void drainShared() {
    for (ByteBuffer b = shared.poll(); b != null; b = shared.poll()) {
      release(b);
    }
  }

  @Override
  public ByteBufferPool getArrayBackedPool() {
    return heap;
  }

  /**
   * Stops handing out buffers and releases those kept in the shared queue and by IO threads that have
   * ended. An IO thread still running releases its own on its next give-back; a buffer given back after
   * the close is released. Closing again does nothing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    drainShared();
    for (Cache c : allCaches) {
      // An ended thread's last actions are visible once isAlive() says it has ended; a live one's cache
      // is its own to drain, never this thread's (it may be about to pop from it).
      if (!c.owner.isAlive()) {
        c.drain(this);
      }
    }
    if (heap != this) {
      heap.close();
    }
  }

  @Override
  public int getBufferSize() {
    return size;
  }

  @Override
  public boolean isDirect() {
    return direct;
  }

  /**
   * Buffers taken and not yet given back. The IO threads count in their caches without synchronizing, so
   * this is exact only once what they did is visible to the caller (their tasks have completed, say).
   */
  public long outstanding() {
    long n = taken.sum() - givenBack.sum();
    for (Cache c : allCaches) {
      n += c.taken - c.givenBack;
    }
    return n;
  }

  /** Buffers allocated from the JVM since the pool was made (the rest were reused). */
  public long made() {
    return made.sum();
  }

  /** Buffers kept for reuse right now: the shared queue's and every IO thread's cache. */
  public int kept() {
    int n = shared.size();
    for (Cache c : allCaches) {
      n += c.count;
    }
    return n;
  }

  /** One IO thread's buffers; touched by that thread alone (and by close() once the thread has ended). */
  private static final class Cache {
    final Thread owner;
    final ByteBuffer[] buffers;
    int count;
    /** this thread's takes and give-backs (a buffer may be given back on another thread) */
    long taken;
    long givenBack;

    Cache(Thread owner, int capacity) {
      this.owner = owner;
      this.buffers = new ByteBuffer[capacity];
    }

    ByteBuffer pop() {
      if (count == 0) {
        return null;
      }
      ByteBuffer b = buffers[--count];
      buffers[count] = null;
      return b;
    }

    boolean push(ByteBuffer b) {
      if (count == buffers.length) {
        return false;
      }
      buffers[count++] = b;
      return true;
    }

    void drain(IoBufferPool pool) {
      for (ByteBuffer b = pop(); b != null; b = pop()) {
        pool.release(b);
      }
    }
  }

  /**
   * A bounded queue for any number of threads on each side, without locks or allocation: each place has
   * a sequence number that says whose turn it is (a producer's, for lap {@code n}, when it equals the
   * position; a consumer's when it equals the position plus one).
   */
  private static final class Shared {
    private final int mask;
    private final AtomicReferenceArray<ByteBuffer> places;
    private final AtomicLongArray turns;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    private final int capacity;

    Shared(int capacity) {
      this.capacity = capacity;
      int n = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
      if (capacity <= 1) {
        n = 1;
      }
      this.mask = n - 1;
      this.places = new AtomicReferenceArray<>(n);
      this.turns = new AtomicLongArray(n);
      for (int i = 0; i < n; i++) {
        turns.set(i, i);
      }
    }

    boolean offer(ByteBuffer b) {
      if (capacity == 0) {
        return false;
      }
      while (true) {
        long t = tail.get();
        if (t - head.get() >= capacity) {
          return false;
        }
        int i = (int) t & mask;
        long turn = turns.get(i);
        if (turn == t) {
          if (tail.compareAndSet(t, t + 1)) {
            places.set(i, b);
            turns.set(i, t + 1);
            return true;
          }
        } else if (turn < t) {
          return false; // the consumer of the previous lap has not finished with this place
        }
        // else another producer took this position: read tail again
      }
    }

    ByteBuffer poll() {
      while (true) {
        long h = head.get();
        int i = (int) h & mask;
        long turn = turns.get(i);
        if (turn == h + 1) {
          if (head.compareAndSet(h, h + 1)) {
            ByteBuffer b = places.getAndSet(i, null);
            turns.set(i, h + mask + 1);
            return b;
          }
        } else if (turn < h + 1) {
          return null; // empty, or its producer has not finished writing
        }
      }
    }

    int size() {
      return (int) Math.max(0, Math.min(capacity, tail.get() - head.get()));
    }
  }

  /** One buffer handed out; its close gives the buffer back at most once. */
  private static final class Pooled implements PooledByteBuffer {
    private static final VarHandle BUFFER;

    static {
      try {
        BUFFER = MethodHandles.lookup().findVarHandle(Pooled.class, "buffer", ByteBuffer.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final IoBufferPool pool;
    @SuppressWarnings("unused") // through BUFFER
    private volatile ByteBuffer buffer;

    Pooled(IoBufferPool pool, ByteBuffer buffer) {
      this.pool = pool;
      BUFFER.setRelease(this, buffer);
    }

    @Override
    public ByteBuffer getBuffer() {
      ByteBuffer b = (ByteBuffer) BUFFER.getAcquire(this);
      if (b == null) {
        throw new IllegalStateException("the buffer was already given back to its pool");
      }
      return b;
    }

    @Override
    public void close() {
      ByteBuffer b = (ByteBuffer) BUFFER.getAndSet(this, null);
      if (b != null) {
        pool.giveBack(b);
      }
    }

    @Override
    public boolean isOpen() {
      return BUFFER.getAcquire(this) != null;
    }

    @Override
    public String toString() {
      return "IoBufferPool buffer " + (isOpen() ? "open" : "given back");
    }
  }
}
