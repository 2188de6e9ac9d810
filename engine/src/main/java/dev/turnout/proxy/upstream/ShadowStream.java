package dev.turnout.proxy.upstream;

import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.server.protocol.http.HttpAttachments;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * One shadow copy of an h2 router's request, sent as a stream of its own to the shadow, its answer read
 * and thrown away. The caller's body reaches it as the real request reads it ({@link #bytes}, then
 * {@link #bodyEnded} with the caller's trailers): each run of bytes is copied and written to the
 * shadow's stream as far as that stream's flow-control window allows, the rest held in order. A shadow
 * slower than the real request makes the held bytes grow; past {@link #MAX_HELD_BYTES} for this copy, or
 * {@link #MAX_HELD_BYTES_ALL} for all copies of the process, the copy is dropped (its stream reset) and
 * ends as {@link #SLOW}. Nothing here ever holds back the real request's reads.
 *
 * <p>The copy ends once, with its outcome: the shadow's answer ended (success by {@code grpc-status}
 * for gRPC answers, else by an HTTP status under 500), no connection or stream came, the stream broke,
 * the copy was dropped, the caller's body will never be read to its end ({@link #bodyAbandoned}), or no
 * byte moved either way for the idle timeout. Every method runs on the IO thread of the caller's
 * exchange, which is also the thread of the shadow's connection, so nothing is locked.
 */
public final class ShadowStream {
  /** Bytes one copy may hold while its shadow is slower than the real request (256 KiB). */
  public static final int MAX_HELD_BYTES = 256 * 1024;
  /** Bytes all copies of the process may hold at once (32 MiB). */
  public static final long MAX_HELD_BYTES_ALL = 32L * 1024 * 1024;
  /** The outcome of a copy dropped for holding too much. */
  public static final String SLOW = "slow";

  private static final AtomicLong HELD_ALL = new AtomicLong();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ShadowStream.class);

  /** Where a copy's one outcome goes: {@code why} is empty on success, else the failure's class. */
  public interface Outcome {
    void ended(boolean ok, String why);
  }

  private final ClientRequest head;
  private final XnioIoThread thread;
  private final long idleNanos;
  private final Outcome outcome;
  private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
  private int held;
  private boolean bodyEnded;
  private HeaderMap trailers;
  private ClientExchange stream;
  private StreamSinkChannel sink;
  private boolean writesFinished;
  private boolean over;
  private long lastProgress;
  private XnioExecutor.Key timer;

  /**
   * A copy of {@code head} (method, path and headers as the shadow gets them), to be sent from {@code
   * thread}; {@code hasBody} false sends the head alone, ending the stream. It ends as timed out when
   * nothing moves for {@code idleMillis}.
   */
  public ShadowStream(ClientRequest head, boolean hasBody, XnioIoThread thread, long idleMillis, Outcome outcome) {
    this.head = head;
    this.thread = thread;
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, idleMillis));
    this.outcome = outcome;
    this.bodyEnded = !hasBody;
    this.lastProgress = System.nanoTime();
    this.timer = thread.executeAfter(this::idleCheck, idleMillis, TimeUnit.MILLISECONDS);
  }

  /** True once the copy has its outcome: nothing more is sent. */
  public boolean over() {
    return over;
  }

  /** A run of the caller's body as the real request read it; copied, never kept. */
  public void bytes(ByteBuffer run) {
    int n = run.remaining();
    if (over || n == 0) {
      return;
    }
    if (held + n > MAX_HELD_BYTES || HELD_ALL.addAndGet(n) > MAX_HELD_BYTES_ALL) {
      if (held + n <= MAX_HELD_BYTES) {
        HELD_ALL.addAndGet(-n);
      }
      end(false, SLOW);
      return;
    }
    ByteBuffer copy = ByteBuffer.allocate(n);
    copy.put(run).flip();
    queue.add(copy);
    held += n;
    write();
  }

  /** The caller's body has ended, with {@code trailers} (null or empty when it sent none). */
  public void bodyEnded(HeaderMap trailers) {
    if (over || bodyEnded) {
      return;
    }
    bodyEnded = true;
    this.trailers = trailers;
    write();
  }

  /** The caller's body will not be read to its end (the real request ended without it): the copy is reset. */
  public void bodyAbandoned() {
    if (!over && !bodyEnded) {
      end(false, "body unread");
    }
  }

  /** The shadow's connection came: the copy goes out on it as a new stream. */
  void send(ClientConnection conn) {
    if (over) {
      return;
    }
    conn.sendRequest(
        head,
        new ClientCallback<>() {
          @Override
          public void completed(ClientExchange result) {
            opened(result);
          }

          @Override
          public void failed(IOException e) {
            broke(e);
          }
        });
  }

  /** No connection to the shadow came. */
  void unconnected() {
    end(false, "connect");
  }

  private void opened(ClientExchange result) {
    stream = result;
    if (over) {
      reset();
      return;
    }
    progress();
    result.setResponseListener(
        new ClientCallback<>() {
          @Override
          public void completed(ClientExchange r) {
            answered(r);
          }

          @Override
          public void failed(IOException e) {
            broke(e);
          }
        });
    sink = result.getRequestChannel();
    sink.getWriteSetter().set(c -> write());
    write();
  }

  /** Writes what is held as far as the stream's window allows; ends the stream after the body's end. */
  private void write() {
    if (sink == null || over || writesFinished) {
      return;
    }
    try {
      while (!queue.isEmpty()) {
        ByteBuffer next = queue.peek();
        int before = next.remaining();
        sink.write(next);
        int wrote = before - next.remaining();
        if (wrote > 0) {
          progress();
        }
        if (next.hasRemaining()) {
          release(wrote);
          sink.resumeWrites();
          return;
        }
        queue.poll();
        release(wrote);
      }
      if (bodyEnded) {
        writesFinished = true;
        sink.suspendWrites();
        sink.getWriteSetter().set(null);
        if (trailers != null && trailers.size() > 0) {
          // Undertow's client sends a request's trailers from this attachment of its exchange
          stream.putAttachment(HttpAttachments.RESPONSE_TRAILERS, trailers);
        }
        Sinks.finishWrites(sink);
        return;
      }
      // an HTTP/2 stream channel keeps what is written until it is flushed
      if (sink.flush()) {
        sink.suspendWrites();
      } else {
        sink.resumeWrites();
      }
    } catch (IOException e) {
      broke(e);
    }
  }

  private void release(int bytes) {
    held -= bytes;
    HELD_ALL.addAndGet(-bytes);
  }

  /** The shadow's answer: its body is read and thrown away; its status or trailers say how it went. */
  private void answered(ClientExchange r) {
    progress();
    int status = r.getResponse().getResponseCode();
    HeaderMap headers = r.getResponse().getResponseHeaders();
    String type = headers.getFirst(Headers.CONTENT_TYPE);
    boolean grpc = type != null && type.toLowerCase(Locale.ROOT).startsWith("application/grpc");
    StreamSourceChannel body = r.getResponseChannel();
    Runnable ended =
        () -> {
          if (!grpc || status != 200) {
            end(status < 500, status < 500 ? "" : Integer.toString(status));
            return;
          }
          HeaderMap t = r.getAttachment(HttpAttachments.REQUEST_TRAILERS);
          String code = t == null ? null : t.getFirst("grpc-status");
          if (code == null) {
            code = headers.getFirst("grpc-status"); // a trailers-only answer
          }
          if (code == null) {
            end(false, "no grpc-status");
          } else {
            end(code.trim().equals("0"), code.trim().equals("0") ? "" : "grpc-" + code.trim());
          }
        };
    body.getReadSetter().set(c -> drain(body, ended));
    drain(body, ended);
  }

  private void drain(StreamSourceChannel body, Runnable ended) {
    if (over) {
      return;
    }
    ByteBuffer scratch = ByteBuffer.allocate(8192);
    try {
      while (true) {
        scratch.clear();
        int n = body.read(scratch);
        if (n < 0) {
          body.getReadSetter().set(null);
          body.suspendReads();
          ended.run();
          return;
        }
        if (n == 0) {
          body.resumeReads();
          return;
        }
        progress();
      }
    } catch (IOException e) {
      broke(e);
    }
  }

  private void broke(IOException e) {
    if (!over) {
      log.debug("a shadow copy's stream broke", e);
    }
    end(false, "reset");
  }

  private void progress() {
    lastProgress = System.nanoTime();
  }

  private void idleCheck() {
    if (over) {
      return;
    }
    long idle = System.nanoTime() - lastProgress;
    if (idle >= idleNanos) {
      timer = null;
      end(false, "timeout");
      return;
    }
    timer = thread.executeAfter(this::idleCheck, idleNanos - idle, TimeUnit.NANOSECONDS);
  }

  private void end(boolean ok, String why) {
    if (over) {
      return;
    }
    over = true;
    if (timer != null) {
      timer.remove();
      timer = null;
    }
    release(held);
    queue.clear();
    if (stream != null) {
      reset();
    }
    outcome.ended(ok, why);
  }

  /** Closes the stream's channels; before both directions ended, that resets the stream (RST_STREAM CANCEL). */
  private void reset() {
    if (sink != null) {
      sink.getWriteSetter().set(null);
    }
    IoUtils.safeClose(stream.getRequestChannel());
    if (stream.getResponse() != null) {
      IoUtils.safeClose(stream.getResponseChannel());
    }
  }
}
