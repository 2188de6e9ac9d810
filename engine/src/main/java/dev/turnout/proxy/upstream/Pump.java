package dev.turnout.proxy.upstream;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.util.function.Consumer;
import org.xnio.ChannelExceptionHandler;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * Moves one HTTP/2 stream's body from one side of the proxy to the other, and, unlike Undertow's
 * {@code Transfer}, flushes whenever the source has nothing more for now: an HTTP/2 stream channel
 * keeps what is written until it is flushed, so a bidirectional gRPC call, whose each message must
 * reach the other side before the next is sent, would otherwise wait for ever. One buffer at a time
 * is held: while the sink cannot take it (its stream's flow-control window is shut), the source is not
 * read, so a slow reader holds back its own stream only. Runs on the IO thread both channels share.
 */
final class Pump {
  private final StreamSourceChannel source;
  private final StreamSinkChannel sink;
  private final Consumer<StreamSinkChannel> ended;
  private final ChannelExceptionHandler<Channel> onError;
  private final PooledByteBuffer pooled;
  /** Shown each run of bytes read, before it is written; null when nobody watches. */
  private final Consumer<ByteBuffer> watcher;
  /** In read mode: what was read and is not yet written. */
  private final ByteBuffer buffer;
  private boolean done;

  private Pump(
      StreamSourceChannel source,
      StreamSinkChannel sink,
      ByteBufferPool pool,
      Consumer<StreamSinkChannel> ended,
      ChannelExceptionHandler<Channel> onError,
      Consumer<ByteBuffer> watcher) {
    this.source = source;
    this.watcher = watcher;
    this.sink = sink;
    this.ended = ended;
    this.onError = onError;
    this.pooled = pool.allocate();
    this.buffer = pooled.getBuffer();
    buffer.clear().flip();
  }

  /**
   * Copies {@code source} to {@code sink}; when the source ends, {@code ended} gets the sink, still
   * open, to finish (trailers, then shutdown). A failed read or write goes to {@code onError}, with
   * the channel that failed: {@code source} for a read, {@code sink} for a write.
   */
  static void start(
      StreamSourceChannel source,
      StreamSinkChannel sink,
      ByteBufferPool pool,
      Consumer<StreamSinkChannel> ended,
      ChannelExceptionHandler<Channel> onError) {
    start(source, sink, pool, ended, onError, null);
  }

  /** As above, showing {@code watcher} (a read-only view of) every run of bytes read. */
  static Pump start(
      StreamSourceChannel source,
      StreamSinkChannel sink,
      ByteBufferPool pool,
      Consumer<StreamSinkChannel> ended,
      ChannelExceptionHandler<Channel> onError,
      Consumer<ByteBuffer> watcher) {
    Pump p = new Pump(source, sink, pool, ended, onError, watcher);
    source.getReadSetter().set(c -> p.pump());
    sink.getWriteSetter().set(c -> p.pump());
    p.pump();
    return p;
  }

  /**
   * Stops moving bytes without reporting anything (the sink's stream was given up, and the source may
   * go on into another pump): its buffer goes back to the pool. A no-op once the pump has ended.
   */
  void abandon() {
    if (done) {
      return;
    }
    done = true;
    pooled.close();
    source.suspendReads(); // a pump started on it next resumes them
  }

  private void pump() {
    if (done) {
      return;
    }
    boolean reading = false;
    try {
      while (true) {
        if (buffer.hasRemaining()) {
          sink.write(buffer);
          if (buffer.hasRemaining()) {
            // the other side's window is full: wait until it can take more, reading nothing meanwhile
            source.suspendReads();
            sink.resumeWrites();
            return;
          }
        }
        buffer.clear();
        reading = true;
        int read = source.read(buffer);
        reading = false;
        buffer.flip();
        if (read > 0 && watcher != null) {
          watcher.accept(buffer.asReadOnlyBuffer());
        }
        if (read < 0) {
          finish();
          return;
        }
        if (read == 0) {
          if (!sink.flush()) {
            source.suspendReads();
            sink.resumeWrites();
            return;
          }
          sink.suspendWrites();
          source.resumeReads();
          return;
        }
      }
    } catch (IOException e) {
      fail(reading ? source : sink, e);
    } catch (RuntimeException e) {
      fail(source, new IOException(e));
    }
  }

  private void finish() {
    done = true;
    pooled.close();
    source.getReadSetter().set(null);
    sink.getWriteSetter().set(null);
    source.suspendReads();
    sink.suspendWrites();
    IoUtils.safeClose(source);
    ended.accept(sink);
  }

  private void fail(Channel failed, IOException e) {
    done = true;
    pooled.close();
    source.getReadSetter().set(null);
    sink.getWriteSetter().set(null);
    onError.handleException(failed, e);
  }
}
