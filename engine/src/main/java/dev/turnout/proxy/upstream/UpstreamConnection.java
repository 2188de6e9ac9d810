package dev.turnout.proxy.upstream;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.util.HeaderMap;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * One keep-alive HTTP/1.1 connection to a backend, driven straight on XNIO by the IO thread that owns it:
 * the proxy's upstream client for a request whose body, if any, is held whole. It writes the request
 * in one gathering write, reads the answer's head when the socket says bytes have come, and relays the
 * body to the caller as it reads it, with {@link BodyFraming} telling from the bytes alone where it
 * ends. A socket read is only ever made when the socket is readable, and none after the body's last
 * byte, so a request costs the backend connection one write and, for a small answer, one read.
 *
 * <p>Reads stay registered for the connection's whole life: while it is idle in its {@link
 * UpstreamPool}, a readable socket means the backend closed it (or sent bytes nobody asked for), and
 * it is closed at once. Only while the caller is slower than the backend are reads suspended, until
 * the caller can take more.
 *
 * <p>Everything here runs on the connection's IO thread; a {@link Handler} hears how the attempt went.
 *
 * <p>Why one class of this size: the socket, the bytes read but not yet relayed, the answer's framing
 * and whether reads are suspended are one connection's state, and the write, the head's parse and the
 * body's relay each move all of them. Split, each part would need the others' fields. What stands
 * apart already does: the head's syntax ({@link ResponseHead}, {@link Http1Head}), where a body ends
 * ({@link BodyFraming}), the per-thread scratch space ({@link Scratch}), the pool ({@link UpstreamPool}).
 */
final class UpstreamConnection implements Closeable {
  /**
   * What a request sent on this connection hears, with the request it is about: the connection keeps
   * the request, so one handler serves every request and none is made per attempt. Called on the IO
   * thread.
   */
  interface Handler {
    /** Not a byte of the request was written: the connection was dead already. Closed. */
    void notSent(UpstreamConnection connection, UpstreamRequest request, IOException e);

    /** The connection broke, or the backend broke HTTP, after the request went out and before an answer. Closed. */
    void broken(UpstreamConnection connection, UpstreamRequest request, IOException e);

    /**
     * The map the answer's head is parsed into ({@link UpstreamRequest#answerHeaders}), or null for a
     * map of its own. Left empty when the head is not handed to {@link #answered}.
     */
    HeaderMap answerHeaders(UpstreamRequest request);

    /**
     * The answer's head: the handler either {@link #relay relays} the body or {@link #close closes}.
     * The connection reads every answer into one head: it is good until the connection reads the next.
     */
    void answered(UpstreamConnection connection, UpstreamRequest request, ResponseHead head);

    /** Relaying the body failed on either side. The connection is closed; the caller's must be too. */
    void relayFailed(UpstreamConnection connection, UpstreamRequest request, IOException e);
  }

  private static final int IDLE = 0;
  private static final int WRITING = 1;
  private static final int HEAD = 2;
  private static final int ANSWERED = 3;
  private static final int RELAYING = 4;
  private static final int CLOSED = 5;
  /**
   * The longest answer head read. Undertow's server takes 1 MiB by default, so a backend may well send
   * heads of tens of kilobytes (cookies, CSP); a longer one is a broken backend.
   */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  private final StreamConnection connection;
  private final ConduitStreamSourceChannel source;
  private final ConduitStreamSinkChannel sink;
  private final UpstreamPool.PerThread home;
  /** The scratch space of {@link #home}'s thread, which made this connection and alone touches it. */
  private final Scratch scratch;
  private final ByteBuffer[] out = new ByteBuffer[2];
  private final ChannelListener<StreamSinkChannel> callerWritable = this::callerWritable;
  /** When it was last handed back to its pool. */
  long idleSince;

  private int state = IDLE;
  private Handler handler;
  /** The request being sent or answered; null with {@link #handler}. */
  private UpstreamRequest request;
  private ByteBufferPool pool;
  /**
   * The answer's bytes read and not yet relayed: while an event runs, the IO thread's {@link Scratch}
   * buffer; between events, {@link #own} when body bytes must wait there (a caller slower than the
   * backend), else null. A head in parts waits in {@link #headSoFar}.
   */
  private ByteBuffer buffer;
  private PooledByteBuffer own;
  /** The request head is still in the thread's scratch array: copy what is left before waiting. */
  private boolean headInScratch;
  /** The part of an answer's head read so far, when it did not come in one read. */
  private byte[] headSoFar;
  private int outCount;
  private long written;
  /** A readable event came while the request was still being written: reads wait until it is out. */
  private boolean readsHeld;
  private boolean bodyless;
  /** The answer being relayed: {@link #reading} once its head is read, else null. */
  private ResponseHead head;
  /** The head every answer on this connection is read into, with its thread's {@link #scratch}. */
  private final ResponseHead reading;
  private BodyFraming framing;
  /** The framings of this connection's answers, started again for each ({@link #framing} is one of them). */
  private final BodyFraming.Fixed fixedBody = new BodyFraming.Fixed();

  private BodyFraming.Chunked chunkedBody;
  private StreamSinkChannel caller;

  UpstreamConnection(StreamConnection connection, UpstreamPool.PerThread home) {
    this.connection = connection;
    this.source = connection.getSourceChannel();
    this.sink = connection.getSinkChannel();
    this.home = home;
    this.scratch = Scratch.ofThisThread(); // made on its pool's thread (UpstreamPool.PerThread#ready)
    this.reading = new ResponseHead(scratch);
    connection.setCloseListener(c -> closed());
    source.getReadSetter().set(c -> readable());
    sink.getWriteSetter().set(c -> writable());
    source.resumeReads();
  }

  /** {@code host:port} of the backend. */
  String key() {
    return home.key();
  }

  /** The scratch space of the connection's IO thread: one thread-local lookup per connection, not per request. */
  Scratch scratch() {
    return scratch;
  }


  /**
   * Sends {@code request}, whose outcome {@code handler} hears: its {@code head} (the thread's {@link Http1Head}'s bytes) and then {@code body}
   * when there is one. {@code bodyless} says the answer has no body whatever its head says (a HEAD
   * request). {@code pool} lends a buffer when bytes must wait between events.
   */
  void send(
      Handler handler, UpstreamRequest request, ByteBufferPool pool, ByteBuffer head, byte[] body, boolean bodyless) {
    this.handler = handler;
    this.request = request;
    this.pool = pool;
    this.bodyless = bodyless;
    headInScratch = true;
    ByteBuffer direct = scratch.out(head, body);
    if (direct != null) {
      out[0] = direct;
      out[1] = null;
      outCount = 1;
    } else {
      out[0] = head;
      out[1] = body == null ? null : ByteBuffer.wrap(body);
      outCount = body == null ? 1 : 2;
    }
    written = 0;
    state = WRITING;
    write();
    if (headInScratch && state == WRITING) {
      // Not all written: what is left of the scratch's bytes waits in an array of its own, the scratch
      // is the thread's (a held body's own array, if it is written apart, stays as it is).
      ByteBuffer rest = out[0];
      byte[] kept = new byte[rest.remaining()];
      rest.get(kept);
      out[0] = ByteBuffer.wrap(kept);
    }
    headInScratch = false;
  }

  private void write() {
    try {
      while (out[outCount - 1].hasRemaining()) {
        // One buffer (the usual case) by a plain write: a gathering one takes the JDK's per-thread
        // iovec array, a thread-local lookup per request.
        long n = outCount == 1 ? sink.write(out[0]) : sink.write(out, 0, outCount);
        if (n == 0) {
          sink.resumeWrites();
          return;
        }
        written += n;
      }
    } catch (IOException e) {
      Handler h = handler;
      UpstreamRequest r = request;
      boolean nothingSent = written == 0;
      close();
      if (nothingSent) {
        h.notSent(this, r, e);
      } else {
        h.broken(this, r, e);
      }
      return;
    }
    sink.suspendWrites();
    out[0] = null;
    out[1] = null;
    state = HEAD;
    if (readsHeld) {
      readsHeld = false;
      source.resumeReads();
    }
    // No read now: the answer is read when the socket says it has come.
  }

  private void writable() {
    if (state == WRITING) {
      write();
    } else {
      sink.suspendWrites();
    }
  }

  private void readable() {
    try {
      switch (state) {
        case IDLE -> idleRead();
        case HEAD -> readHead();
        case RELAYING -> pump();
        case WRITING -> {
          readsHeld = true;
          source.suspendReads();
        }
        default -> source.suspendReads();
      }
    } catch (RuntimeException e) {
      failedInside(e);
    }
  }

  /**
   * An exception from Turnout's own code in an event of this connection: a bug. The connection is
   * closed (nothing of it, the thread's scratch included, stays in use) and the request hears of it
   * as a broken connection or relay, with the exception as the cause, so that it is logged.
   */
  private void failedInside(RuntimeException e) {
    Handler h = handler;
    UpstreamRequest r = request;
    boolean relaying = state == RELAYING || state == ANSWERED;
    close();
    if (h == null) {
      return;
    }
    IOException wrapped = new IOException("Turnout failed on the connection to " + key() + ": " + e, e);
    if (relaying) {
      h.relayFailed(this, r, wrapped);
    } else {
      h.broken(this, r, wrapped);
    }
  }

  /** An idle connection became readable: the backend closed it, or sent what nobody asked for. */
  private void idleRead() {
    try {
      if (source.read(ByteBuffer.allocate(1)) == 0) {
        return; // a spurious wakeup
      }
    } catch (IOException e) {
      // closed below all the same
    }
    close();
  }

  private void readHead() {
    ByteBuffer scratch = this.scratch.read(pool.getBufferSize());
    int n;
    try {
      n = source.read(scratch);
    } catch (IOException e) {
      brokenNow(e);
      return;
    }
    if (n == 0) {
      return;
    }
    if (n < 0) {
      brokenNow(
          new IOException(
              headSoFar == null
                  ? "the backend closed the connection without answering"
                  : "the backend closed the connection in the middle of its answer's head"));
      return;
    }
    scratch.flip();
    ByteBuffer in = scratch;
    if (headSoFar != null) {
      byte[] all = java.util.Arrays.copyOf(headSoFar, headSoFar.length + scratch.remaining());
      scratch.get(all, headSoFar.length, scratch.remaining());
      headSoFar = null;
      in = ByteBuffer.wrap(all);
    }
    parseHead(in, scratch);
  }

  /**
   * Parses heads from {@code in} (read mode): interim ones are skipped, a final one is answered with
   * the body bytes after it moved to {@code scratch} when {@code in} is a head that came in parts.
   */
  private void parseHead(ByteBuffer in, ByteBuffer scratch) {
    HeaderMap into = handler.answerHeaders(request);
    while (true) {
      ResponseHead h;
      int start = in.position();
      try {
        h = reading.read(in, into) ? reading : null;
      } catch (ResponseHead.Malformed e) {
        brokenNow(e);
        return;
      }
      if (h != null ? in.position() - start > MAX_HEAD_BYTES : in.remaining() > MAX_HEAD_BYTES) {
        if (h != null) {
          h.headers.clear();
        }
        brokenNow(new ResponseHead.Malformed("an answer head larger than " + MAX_HEAD_BYTES + " bytes"));
        return;
      }
      if (h == null) {
        // The rest comes in later reads: keep what is here (rare, and never in the scratch).
        headSoFar = new byte[in.remaining()];
        in.get(headSoFar);
        return;
      }
      if (h.interim()) {
        h.headers.clear();
        if (!in.hasRemaining()) {
          return; // an interim answer (100 Continue, 103 Early Hints) is not relayed
        }
        continue;
      }
      if (h.status == 101) {
        h.headers.clear();
        brokenNow(new ResponseHead.Malformed("a 101 answer to a request that asked for no upgrade"));
        return;
      }
      if (in != scratch) {
        // The head ended in the last read, so the bytes after it are fewer than a read holds.
        scratch.clear();
        scratch.put(in).flip();
      }
      buffer = scratch;
      head = h;
      if (bodyless || h.status == 204 || h.status == 304) {
        framing = fixedBody.start(0);
      } else if (h.chunked) {
        if (chunkedBody == null) {
          chunkedBody = new BodyFraming.Chunked();
        }
        framing = chunkedBody.start();
      } else if (h.contentLength >= 0) {
        framing = fixedBody.start(h.contentLength);
      } else {
        framing = BodyFraming.untilClose();
      }
      state = ANSWERED;
      handler.answered(this, request, h);
      return;
    }
  }

  /**
   * Relays the answer's body to {@code caller}, whose status and headers are set: the bytes already
   * read first, then the rest as it comes, until the body ends. Then this connection goes back to its
   * pool (or is closed, if the backend will not keep it) and {@code caller} is ended.
   */
  void relay(StreamSinkChannel caller) {
    this.caller = caller;
    state = RELAYING;
    try {
      pump();
    } catch (RuntimeException e) {
      failedInside(e);
    }
  }

  private void pump() {
    if (buffer == null) {
      buffer = scratch.read(pool.getBufferSize()).flip();
    }
    try {
      while (true) {
        int n = framing.data(buffer);
        if (n == BodyFraming.END) {
          done();
          return;
        }
        if (n > 0) {
          int limit = buffer.limit();
          buffer.limit(buffer.position() + n);
          int w;
          try {
            w = caller.write(buffer);
          } finally {
            buffer.limit(limit);
          }
          framing.consumed(w);
          if (w < n) {
            parkBody();
            waitForCaller();
            return;
          }
          continue;
        }
        buffer.compact();
        int r = source.read(buffer);
        buffer.flip();
        if (r == 0) {
          parkBody();
          return; // the next readable event carries on
        }
        if (r < 0) {
          if (framing.endsAtEof()) {
            done();
          } else {
            relayBroken(new IOException("the backend closed the connection before the end of the body"));
          }
          return;
        }
      }
    } catch (IOException e) {
      relayBroken(e);
    }
  }

  /** The caller cannot take more yet: stop reading the backend until it can. */
  private void waitForCaller() {
    source.suspendReads();
    caller.getWriteSetter().set(callerWritable);
    caller.resumeWrites();
  }

  private void callerWritable(StreamSinkChannel channel) {
    channel.suspendWrites();
    channel.getWriteSetter().set(null);
    if (state != RELAYING) {
      return;
    }
    source.resumeReads();
    try {
      pump();
    } catch (RuntimeException e) {
      failedInside(e);
    }
  }

  private void done() {
    StreamSinkChannel to = caller;
    boolean reuse = head.keepAlive && !framing.endsAtEof() && !buffer.hasRemaining();
    caller = null;
    handler = null;
    request = null;
    head = null;
    reading.headers = null; // an idle connection holds no exchange's map
    framing = null;
    dropBytes();
    if (reuse) {
      state = IDLE;
      home.release(this);
    } else {
      close();
    }
    Sinks.finishWrites(to);
  }

  private void brokenNow(IOException e) {
    Handler h = handler;
    UpstreamRequest r = request;
    close();
    h.broken(this, r, e);
  }

  private void relayBroken(IOException e) {
    Handler h = handler;
    UpstreamRequest r = request;
    close();
    h.relayFailed(this, r, e);
  }

  /** At an event's end, in the body: bytes not yet relayed (read mode) move to {@link #own}. */
  private void parkBody() {
    if (!buffer.hasRemaining()) {
      dropBytes();
    } else if (own == null) {
      own = pool.allocate();
      ByteBuffer kept = own.getBuffer().clear();
      kept.put(buffer).flip();
      buffer = kept;
    }
  }

  private void dropBytes() {
    buffer = null;
    headSoFar = null;
    if (own != null) {
      own.close();
      own = null;
    }
  }

  /** Closes the connection, whatever it was doing; a request on it hears nothing more from it. */
  @Override
  public void close() {
    if (state == CLOSED) {
      return;
    }
    state = CLOSED;
    handler = null;
    request = null;
    caller = null;
    reading.headers = null; // the exchange's map an answer was being read into
    dropBytes();
    IoUtils.safeClose(connection);
  }

  /** XNIO's close listener: once, however the connection closed. */
  private void closed() {
    if (Thread.currentThread() == home.thread) {
      state = CLOSED;
      home.closed(this);
      return;
    }
    try {
      home.thread.execute(
          () -> {
            state = CLOSED;
            home.closed(this);
          });
    } catch (RejectedExecutionException stopping) {
      // the IO thread is gone, and its pool with it
    }
  }
}
