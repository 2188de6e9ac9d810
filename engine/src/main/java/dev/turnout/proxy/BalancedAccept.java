package dev.turnout.proxy;

import io.undertow.Undertow;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.Option;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * Accepts a plaintext listener's connections itself, so that each goes to the IO thread holding the
 * fewest callers' connections. XNIO's own accept puts each new connection on an IO thread drawn at
 * random: with 64 callers on two threads one thread often carries 36 to 40 and the other 24 to 28, and
 * the callers of the busier one wait longer at every turn (the tail of the latency, and the spread from
 * run to run, came mostly from that). HAProxy counts each thread's connections and hands a new one to
 * the least loaded; this does the same, per {@link IoThreads} (every listener on those threads shares
 * one count).
 *
 * <p>XNIO has no public way to place an accepted socket on a thread of one's choosing, so this reaches
 * four package-private members of its NIO provider by reflection (XNIO 3.8): the server inside the
 * queue XNIO wraps it in, its socket channel, an IO thread's {@code registerChannel}, and the constructor of its socket connection, given a
 * {@code ChannelClosed} hook that lowers the count when the connection closes. Each connection gets the
 * socket settings the server was made with (TCP_NODELAY, keep-alive, send buffer, read and write
 * timeouts), as XNIO's accept gives them, and its open listener runs on its own IO thread, as XNIO's
 * queued accept runs it. Should those members not be there (another XNIO), {@link #of} finds out at once
 * and the listener keeps XNIO's accept; a warning says so. A failed accept (out of file descriptors,
 * say) pauses the listener by XNIO's own back-off. XNIO's connection high and low water marks are not
 * applied to connections accepted here (Turnout sets none on its listeners), and XNIO's management
 * bean no longer counts them.
 *
 * <p>Every plaintext listener, http or h2, is balanced; a TLS listener keeps XNIO's accept (Undertow
 * wraps its accepting channel in its own, which hands on TLS connections), and its connections are not
 * counted: a proxy with TLS and plaintext listeners balances the plaintext ones only. {@code
 * -Dturnout.proxy.accept=xnio} keeps XNIO's own accept everywhere, for A/B benchmarks.
 */
final class BalancedAccept implements ChannelListener<AcceptingChannel<StreamConnection>> {
  private static final Logger LOG = LoggerFactory.getLogger(BalancedAccept.class);
  /** Connections accepted per readiness event at most, as XNIO's queued server does. */
  static final int BATCH = 128;
  private static final Access ACCESS = Access.find();

  private final ServerSocketChannel socket;
  /** XNIO's server whose socket this accepts from (inside the queue XNIO wraps it in). */
  private final AcceptingChannel<StreamConnection> server;
  /** The server's handle on the accept thread's selector, which XNIO's back-off pauses and resumes. */
  private final Object handle;
  private final Counts counts;
  private final ChannelListener<? super StreamConnection> open;
  private final boolean keepAlive;
  private final boolean oobInline;
  private final boolean noDelay;
  private final int sendBuffer;
  private final int readTimeout;
  private final int writeTimeout;

  /** Callers' connections per IO thread of one worker, shared by every listener on it. */
  static final class Counts {
    private final XnioIoThread[] threads;
    private final AtomicIntegerArray open;
    /** Where the search for the least loaded starts, so that ties go round in turn. */
    private int next;

    Counts(XnioWorker worker) {
      threads = new XnioIoThread[worker.getIoThreadCount()];
      for (int i = 0; i < threads.length; i++) {
        threads[i] = worker.getIoThread(i);
      }
      open = new AtomicIntegerArray(threads.length);
    }

    /** The IO thread with the fewest connections, counted as holding one more. */
    synchronized int take() {
      int n = threads.length;
      int best = next;
      for (int k = 1; k < n; k++) {
        int i = (next + k) % n;
        if (open.get(i) < open.get(best)) {
          best = i;
        }
      }
      next = (best + 1) % n;
      open.incrementAndGet(best);
      return best;
    }

    void release(int thread) {
      open.decrementAndGet(thread);
    }

    int open(int thread) {
      return open.get(thread);
    }

    int threads() {
      return threads.length;
    }
  }

  private BalancedAccept(
      ServerSocketChannel socket,
      AcceptingChannel<StreamConnection> server,
      Object handle,
      Counts counts,
      ChannelListener<? super StreamConnection> open)
      throws IOException {
    this.socket = socket;
    this.server = server;
    this.handle = handle;
    this.counts = counts;
    this.open = open;
    this.keepAlive = flag(server, Options.KEEP_ALIVE);
    this.oobInline = flag(server, Options.TCP_OOB_INLINE);
    this.noDelay = flag(server, Options.TCP_NODELAY);
    this.sendBuffer = number(server, Options.SEND_BUFFER);
    this.readTimeout = number(server, Options.READ_TIMEOUT);
    this.writeTimeout = number(server, Options.WRITE_TIMEOUT);
  }

  /**
   * The balancing accept for {@code server}, which hands each connection to {@code open} on the
   * connection's own IO thread; empty (with a warning) where XNIO's internals are not as expected, or
   * when balancing is switched off. Nothing changes until {@link #install()}.
   */
  static Optional<BalancedAccept> of(
      AcceptingChannel<StreamConnection> server, Counts counts, ChannelListener<? super StreamConnection> open) {
    if ("xnio".equals(System.getProperty("turnout.proxy.accept")) || ACCESS == null || counts.threads() < 2) {
      return Optional.empty();
    }
    try {
      // XNIO 3.8 wraps the accepting server in a queue that takes each accepted connection to its thread
      Object real = ACCESS.queued.isInstance(server) ? ACCESS.queuedReal.get(server) : server;
      ServerSocketChannel socket = (ServerSocketChannel) ACCESS.serverSocket.get(real);
      // XNIO 3.8 accepts on its one accept thread, through the server's one handle
      Object handle = ACCESS.handle.invoke(real, 0);
      @SuppressWarnings("unchecked")
      AcceptingChannel<StreamConnection> accepting = (AcceptingChannel<StreamConnection>) real;
      return Optional.of(new BalancedAccept(socket, accepting, handle, counts, open));
    } catch (ReflectiveOperationException | RuntimeException | IOException e) {
      LOG.warn("connections are put on IO threads at random, as XNIO does ({})", e.toString());
      return Optional.empty();
    }
  }

  /**
   * Takes over {@code listener}'s accept: each connection goes to {@code wrap} of Undertow's open
   * listener, on the IO thread holding the fewest callers where balancing works ({@link #of}), else
   * where XNIO puts it. False, with a warning and nothing changed, when Undertow's fields for the
   * listener's accepting channel and open listener (read by reflection, Undertow 2.3) are not there.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static boolean install(
      Undertow.ListenerInfo listener, Counts counts, UnaryOperator<ChannelListener<StreamConnection>> wrap) {
    AcceptingChannel<StreamConnection> channel;
    ChannelListener<StreamConnection> open;
    try {
      channel = (AcceptingChannel<StreamConnection>) field(listener, "channel");
      open = (ChannelListener<StreamConnection>) field(listener, "openListener");
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("connections are put on IO threads at random, as XNIO does ({})", e.toString());
      return false;
    }
    ChannelListener<StreamConnection> opening = wrap.apply(open);
    of(channel, counts, opening)
        .ifPresentOrElse(
            BalancedAccept::install,
            () -> ((ChannelListener.Setter) channel.getAcceptSetter()).set(ChannelListeners.openListenerAdapter(opening)));
    return true;
  }

  private static Object field(Object o, String name) throws ReflectiveOperationException {
    Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  /** From now on the server's connections are accepted here. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  void install() {
    ((ChannelListener.Setter) server.getAcceptSetter()).set(this);
  }

  @Override
  public void handleEvent(AcceptingChannel<StreamConnection> ignored) {
    // As XNIO's own accept: up to a batch per readiness event, so a burst of callers (every one
    // reconnecting after a restart) does not wait a turn of the accept thread each
    for (int i = 0; i < BATCH; i++) {
      SocketChannel accepted;
      try {
        accepted = socket.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        backOff(e);
        return;
      }
      if (accepted == null) {
        return;
      }
      resetBackOff();
      hand(accepted);
    }
  }

  /** Sets {@code accepted} up on the least loaded IO thread and has its open listener run there. */
  private void hand(SocketChannel accepted) {
    int thread = counts.take();
    StreamConnection connection;
    try {
      connection = connect(accepted, thread);
    } catch (IOException | ReflectiveOperationException | RuntimeException e) {
      counts.release(thread);
      IoUtils.safeClose(accepted);
      LOG.debug("an accepted connection could not be set up", e);
      return;
    }
    try {
      // Undertow starts reading at once: that must happen on the thread the connection belongs to.
      // A listener that fails leaves the connection closed (which releases its count), not dangling.
      connection.getIoThread().execute(() -> {
        if (!ChannelListeners.invokeChannelListener(connection, open)) {
          IoUtils.safeClose(connection);
        }
      });
    } catch (RuntimeException e) { // the thread is stopping: the worker is shutting down
      IoUtils.safeClose(connection);
    }
  }

  private StreamConnection connect(SocketChannel accepted, int thread)
      throws IOException, ReflectiveOperationException {
    accepted.configureBlocking(false);
    Socket s = accepted.socket();
    s.setKeepAlive(keepAlive);
    s.setOOBInline(oobInline);
    s.setTcpNoDelay(noDelay);
    if (sendBuffer > 0) {
      s.setSendBufferSize(sendBuffer);
    }
    XnioIoThread io = counts.threads[thread];
    SelectionKey key;
    try {
      key = (SelectionKey) ACCESS.register.invoke(io, accepted);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IOException failed) {
        throw failed; // the accepted channel was closed under it
      }
      throw e;
    }
    StreamConnection c = (StreamConnection) ACCESS.connection.newInstance(io, key, ACCESS.whenClosed(() -> counts.release(thread)));
    c.setOption(Options.READ_TIMEOUT, readTimeout);
    c.setOption(Options.WRITE_TIMEOUT, writeTimeout);
    return c;
  }

  /**
   * Stops accepting for a while after a failed accept (out of file descriptors, say) instead of spinning
   * on a socket that stays ready: XNIO's own back-off on the server's handle, 250 ms growing fourfold up
   * to 30 s, reset by the next accept that works.
   */
  private void backOff(IOException e) {
    try {
      ACCESS.startBackOff.invoke(handle);
      LOG.warn("accepting a connection on {} failed; trying again in {} ms: {}",
          server.getLocalAddress(), ACCESS.backOffTime.invoke(handle), e.toString());
    } catch (ReflectiveOperationException | RuntimeException failed) {
      LOG.warn("accepting a connection on {} failed and could not be paused: {}", server.getLocalAddress(), e.toString());
    }
  }

  private void resetBackOff() {
    try {
      ACCESS.resetBackOff.invoke(handle);
    } catch (ReflectiveOperationException | RuntimeException ignored) {
      // nothing was paused through it either
    }
  }

  private static boolean flag(AcceptingChannel<?> server, Option<Boolean> option) throws IOException {
    Boolean v = server.getOption(option);
    return v != null && v;
  }

  private static int number(AcceptingChannel<?> server, Option<Integer> option) throws IOException {
    Integer v = server.getOption(option);
    return v == null ? 0 : v;
  }

  /** XNIO's package-private members this needs, or null (with a warning) when they are not there. */
  private record Access(
      Class<?> queued,
      Field queuedReal,
      Field serverSocket,
      Method handle,
      Method startBackOff,
      Method resetBackOff,
      Method backOffTime,
      Method register,
      Constructor<?> connection,
      Class<?> closedHandle) {
    /** An {@code org.xnio.nio.ChannelClosed} (XNIO calls it once the connection's socket is closed) running {@code action}. */
    Object whenClosed(Runnable action) {
      return Proxy.newProxyInstance(
          closedHandle.getClassLoader(),
          new Class<?>[] {closedHandle},
          (proxy, method, args) -> switch (method.getName()) {
            case "channelClosed" -> {
              action.run();
              yield null;
            }
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> "connection-closed hook";
          });
    }

    static Access find() {
      try {
        Class<?> queued = Class.forName("org.xnio.nio.QueuedNioTcpServer2");
        Field real = queued.getDeclaredField("realServer");
        real.setAccessible(true);
        Class<?> server = Class.forName("org.xnio.nio.NioTcpServer");
        Class<?> worker = Class.forName("org.xnio.nio.WorkerThread");
        Class<?> connection = Class.forName("org.xnio.nio.NioSocketStreamConnection");
        Field socket = server.getDeclaredField("channel");
        socket.setAccessible(true);
        Method handle = server.getDeclaredMethod("getHandle", int.class);
        handle.setAccessible(true);
        Class<?> handleClass = Class.forName("org.xnio.nio.NioTcpServerHandle");
        Method startBackOff = handleClass.getDeclaredMethod("startBackOff");
        startBackOff.setAccessible(true);
        Method resetBackOff = handleClass.getDeclaredMethod("resetBackOff");
        resetBackOff.setAccessible(true);
        Method backOffTime = handleClass.getDeclaredMethod("getBackOffTime");
        backOffTime.setAccessible(true);
        Method register = worker.getDeclaredMethod("registerChannel", AbstractSelectableChannel.class);
        register.setAccessible(true);
        Class<?> closed = Class.forName("org.xnio.nio.ChannelClosed");
        Constructor<?> make = connection.getDeclaredConstructor(worker, SelectionKey.class, closed);
        make.setAccessible(true);
        return new Access(queued, real, socket, handle, startBackOff, resetBackOff, backOffTime, register, make, closed);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn("connections are put on IO threads at random, as XNIO does ({})", e.toString());
        return null;
      }
    }
  }
}
