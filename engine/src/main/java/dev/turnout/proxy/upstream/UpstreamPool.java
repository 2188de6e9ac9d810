package dev.turnout.proxy.upstream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import dev.turnout.config.HostConnectionPool;
import org.xnio.Cancellable;
import org.xnio.IoFuture;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;

/**
 * Keep-alive connections to one endpoint {@code host:port} for the {@link UpstreamConnection upstream
 * client}, kept apart per IO thread: a request only ever takes a connection that its own thread owns,
 * so every list here is touched by one thread and nothing is locked.
 *
 * <p>A request gets the idle connection that has waited longest, inside the call that asks for it;
 * else a new one, once it has opened; else, when {@link #MAX_PER_THREAD} are open on its thread, it
 * waits for the next one a request hands back. Taking connections in turn spreads the load over them,
 * and over a backend's processes: against nginx backends of one and two workers it answered 2-12% more
 * requests a second than taking the most recently used one, in six interleaved pairs of runs. An idle connection is kept until the backend closes it, or for
 * {@link #IDLE_TTL_NANOS} unused.
 *
 * <p>A client's {@code hostConnectionPool} bounds the pool <em>across</em> threads: at most {@code
 * maxSize} connections to the endpoint and {@code maxWaiters} requests waiting for one, counted in two
 * atomics; a request past {@code maxWaiters} is refused at once ({@link Waiter#overloaded}). Its idle
 * connections close after {@code idleTimeMs}. A thread that must wait while another thread holds an
 * idle connection asks that thread to close it, and a slot freed on one thread is offered to requests
 * waiting on the others, so no request waits on a connection its thread cannot use. {@code minSize}
 * is not kept warm. Without the block the limits stay per thread, as they always were.
 */
final class UpstreamPool {
  /** Connections open at once per IO thread, as the Undertow pool was allowed. */
  static final int MAX_PER_THREAD = 1024;
  /** Requests waiting per IO thread for a connection, when all those are busy. */
  static final int MAX_WAITING = 4096;
  static final long IDLE_TTL_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** Who waits for a connection: one attempt of a request. Called on the waiter's IO thread. */
  interface Waiter {
    void connected(UpstreamConnection connection);

    /** No connection: refused, unreachable, an unknown host, or too many waiting already. */
    void failed(IOException e);

    /** The pool's {@code maxWaiters} requests are waiting already: this one is refused at once. */
    void overloaded(String why);

    /** True once the waiter no longer wants a connection (it timed out, or its request ended). */
    boolean gaveUp();

    /**
     * Every connection this thread may open is busy: the waiter waits for one to be handed back (or is
     * refused, with too many waiting already), which is not the endpoint's doing. Called before that
     * wait or refusal begins.
     */
    void queued();

    /**
     * A waiter that queued behind busy connections now has a new one being made for it (a slot came
     * free): {@code connecting} cancels that, and a failure from here on is the endpoint's.
     */
    void opening(Cancellable connecting);
  }

  private final String host;
  /** Where each new connection goes ({@link #addressOf}). */
  private final Supplier<InetSocketAddress> address;
  private final String key;
  /** Null for the unconfigured pool, which keeps its limits per thread. */
  private final HostConnectionPool bounds;
  private final long idleTtlNanos;
  /** The TLS every connection of this pool speaks; null for a plaintext pool. */
  private final UpstreamTls tls;
  private final AtomicInteger openTotal = new AtomicInteger();
  private final AtomicInteger waitingTotal = new AtomicInteger();
  private final PerIoThread<PerThread> threads = new PerIoThread<>(PerThread::new);
  private volatile boolean closed;

  UpstreamPool(dev.turnout.routing.Endpoint endpoint) {
    this.host = endpoint.host();
    this.address = addressOf(host, endpoint.port());
    this.key = endpoint.key();
    this.bounds = endpoint.pool().bounded() ? endpoint.pool() : null;
    this.idleTtlNanos = bounds == null ? IDLE_TTL_NANOS : endpoint.pool().idleTime().toNanos();
    this.tls = endpoint.tls().map(UpstreamTls::new).orElse(null);
  }

  String key() {
    return key;
  }

  /**
   * True for an IPv4 literal in dotted-quad form or an IPv6 one (any colon: a host name has none),
   * which the JDK parses without a lookup.
   */
  static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    int dots = 0;
    int digits = 0;
    int octet = 0;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c == '.') {
        if (digits == 0) {
          return false;
        }
        dots++;
        digits = 0;
        octet = 0;
      } else if (c >= '0' && c <= '9' && digits < 3) {
        digits++;
        octet = octet * 10 + (c - '0');
        if (octet > 255) {
          return false;
        }
      } else {
        return false;
      }
    }
    return dots == 3 && digits > 0;
  }

  /**
   * The address of each new connection to {@code host:port}. An IP literal's is made once: the JDK looks
   * nothing up for it, yet made anew it parsed the text again for every connection ({@code
   * InetAddress.getAllByName}). A host name is looked up for each new connection, so that a changed
   * DNS answer reaches the next one.
   */
  static Supplier<InetSocketAddress> addressOf(String host, int port) {
    if (isIpLiteral(host)) {
      InetSocketAddress once = new InetSocketAddress(host, port);
      if (!once.isUnresolved()) {
        return () -> once;
      }
    }
    return () -> new InetSocketAddress(host, port);
  }

  /** An idle connection of {@code thread} (the caller's own), taken now; null when it has none. */
  UpstreamConnection idle(XnioIoThread thread) {
    return threads.get(thread).takeIdle(System.nanoTime());
  }

  /**
   * Gets a connection for {@code waiter} on {@code thread} (the caller's own), which has just found no
   * {@link #idle} one there: a new one when it opens, or, at the cap, the next one handed back. Returns
   * what cancels the wait (closing a connection still being made), or null when the waiter was answered
   * inside this call (refused: too many waiting, or the address unknown).
   */
  Cancellable acquire(XnioIoThread thread, Waiter waiter) {
    PerThread p = threads.get(thread);
    if (p.mayOpen()) {
      return p.open(waiter);
    }
    waiter.queued();
    if (bounds != null) {
      if (waitingTotal.get() >= bounds.maxWaiters()) {
        waiter.overloaded(
            "too many requests waiting for a connection to " + key() + " (hostConnectionPool.maxWaiters: "
                + bounds.maxWaiters() + ")");
        return null;
      }
      waitingTotal.incrementAndGet();
      p.waiting.add(waiter);
      askOthersForIdle(p);
      return () -> {
        if (p.waiting.remove(waiter)) {
          waitingTotal.decrementAndGet();
        }
        return null;
      };
    }
    if (p.waiting.size() >= MAX_WAITING) {
      waiter.failed(new IOException("too many requests waiting for a connection to " + key()));
      return null;
    }
    p.waiting.add(waiter);
    return () -> {
      p.waiting.remove(waiter);
      return null;
    };
  }

  /** Every slot is taken: threads holding idle connections close one each, which frees a slot. */
  private void askOthersForIdle(PerThread mine) {
    for (PerThread other : threads.values()) {
      if (other != mine) {
        runOn(other, other::closeOneIdle);
      }
    }
  }

  /** A slot came free: threads with requests waiting for one get to open it. */
  private void offerSlot(PerThread freed) {
    for (PerThread other : threads.values()) {
      if (other != freed) {
        runOn(other, other::serveWaiting);
      }
    }
  }

  private static void runOn(PerThread p, Runnable task) {
    try {
      p.thread.execute(task);
    } catch (RejectedExecutionException stopping) {
      // the IO thread is gone, and its connections and waiters with it
    }
  }

  /** Connections open or being opened, on every thread: what a leak of pool slots would show in. */
  int open() {
    int n = 0;
    for (PerThread p : threads.values()) {
      n += p.open;
    }
    return n;
  }

  /** Closes the idle connections; busy ones close as their requests end. */
  void close() {
    closed = true;
    for (PerThread p : threads.values()) {
      try {
        p.thread.execute(p::closeIdle);
      } catch (RejectedExecutionException stopping) {
        // the IO thread is gone, and its connections with it
      }
    }
  }

  /** One IO thread's connections to the endpoint. Touched by that thread only. */
  final class PerThread {
    final XnioIoThread thread;
    /** Longest idle first: connections are taken in turn. */
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    /** Connections open or being opened, idle and busy. Written by its thread only; volatile for {@link #open()}. */
    private volatile int open;

    PerThread(XnioIoThread thread) {
      this.thread = thread;
    }

    String key() {
      return UpstreamPool.this.key();
    }

    /** Whether a new connection may be opened: under the pool's maxSize, or this thread's cap. */
    private boolean mayOpen() {
      return bounds == null ? open < MAX_PER_THREAD : openTotal.get() < bounds.maxSize();
    }

    private void closeOneIdle() {
      UpstreamConnection c = idle.pollFirst();
      if (c != null) {
        c.close();
      }
    }

    private UpstreamConnection takeIdle(long now) {
      // The longest idle are first: drop those past their time, then take the next.
      while (!idle.isEmpty() && now - idle.peekFirst().idleSince > idleTtlNanos) {
        idle.pollFirst().close();
      }
      return idle.pollFirst();
    }

    private Cancellable open(Waiter waiter) {
      InetSocketAddress address = UpstreamPool.this.address.get();
      if (address.isUnresolved()) {
        waiter.failed(new UnknownHostException(host));
        return null;
      }
      open++;
      openTotal.incrementAndGet();
      IoFuture<StreamConnection> future;
      try {
        future = thread.openStreamConnection(address, null, UpstreamClient.OPTIONS);
      } catch (RuntimeException e) {
        slotFreed();
        throw e;
      }
      future.addNotifier(
          (f, ignored) -> {
            if (Thread.currentThread() == thread) {
              opened(f, waiter);
            } else {
              thread.execute(() -> opened(f, waiter));
            }
          },
          null);
      return future;
    }

    private void opened(IoFuture<? extends StreamConnection> f, Waiter waiter) {
      switch (f.getStatus()) {
        case DONE -> {
          StreamConnection tcp;
          try {
            tcp = f.get();
          } catch (IOException cannotHappen) {
            slotFreed();
            waiter.failed(cannotHappen);
            return;
          }
          if (tls == null) {
            ready(tcp, waiter);
          } else {
            tls.handshake(tcp, c -> onThread(() -> ready(c, waiter)), e -> onThread(() -> notMade(e, waiter)));
          }
        }
        case FAILED -> notMade(f.getException(), waiter);
        default -> { // cancelled: the waiter gave up first
          slotFreed();
          serveWaiting();
        }
      }
    }

    /** {@code connection} is open (and, over TLS, its peer checked): the waiter, or the next one, has it. */
    private void ready(StreamConnection connection, Waiter waiter) {
      UpstreamConnection c = new UpstreamConnection(connection, this);
      if (waiter.gaveUp()) {
        release(c); // made too late for its request: the next one has it
      } else {
        waiter.connected(c);
      }
    }

    private void notMade(IOException e, Waiter waiter) {
      slotFreed();
      if (!waiter.gaveUp()) {
        waiter.failed(e);
      }
      serveWaiting();
    }

    /** Runs {@code task} on this pool's thread: TLS may report from a thread that ran its handshake's tasks. */
    private void onThread(Runnable task) {
      if (Thread.currentThread() == thread) {
        task.run();
      } else {
        thread.execute(task);
      }
    }

    /** A connection done with its answer and fit for another. */
    void release(UpstreamConnection c) {
      if (closed) {
        c.close();
        return;
      }
      Waiter next;
      while ((next = nextWaiting()) != null) {
        if (!next.gaveUp()) {
          next.connected(c);
          return;
        }
      }
      if (bounds != null && waitingTotal.get() > 0) {
        c.close(); // another thread's request waits for a slot: this connection's is given up for it
        return;
      }
      c.idleSince = System.nanoTime();
      idle.addLast(c);
    }

    /** Called once for every connection that closes, busy or idle. */
    void closed(UpstreamConnection c) {
      slotFreed();
      idle.removeFirstOccurrence(c);
      serveWaiting();
    }

    private void slotFreed() {
      open--;
      openTotal.decrementAndGet();
      if (bounds != null && waiting.isEmpty() && waitingTotal.get() > 0) {
        offerSlot(this);
      }
    }

    private Waiter nextWaiting() {
      Waiter w = waiting.poll();
      if (w != null && bounds != null) {
        waitingTotal.decrementAndGet();
      }
      return w;
    }

    /** A connection slot came free: the first request still waiting gets a new connection. */
    private void serveWaiting() {
      Waiter next;
      while (!waiting.isEmpty() && mayOpen() && (next = nextWaiting()) != null) {
        if (next.gaveUp()) {
          continue;
        }
        Cancellable connecting = open(next);
        if (connecting != null) {
          next.opening(connecting);
          return;
        }
        // answered at once (an unknown host): the slot is still free for the next one
      }
    }

    private void closeIdle() {
      List<UpstreamConnection> all = new ArrayList<>(idle);
      idle.clear();
      for (Iterator<UpstreamConnection> it = all.iterator(); it.hasNext(); ) {
        it.next().close();
      }
    }
  }
}
