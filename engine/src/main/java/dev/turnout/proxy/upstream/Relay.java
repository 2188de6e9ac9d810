package dev.turnout.proxy.upstream;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.util.Transfer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import org.xnio.ChannelExceptionHandler;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * Streams a body from one side of the proxy to the other, ending the sink when the source ends.
 *
 * <p>Why not {@link Transfer} alone: when the whole body is already there (most answers are small and
 * arrive with their head), Transfer copies it at once but then ends both channels through wakeups,
 * which run on a later turn of the IO loop and switch write interest on and off again: two more
 * {@code epoll_ctl} calls and a loop turn per request, about a third of the proxy's syscalls. Here that
 * case is finished inline: the source is closed (which hands a backend connection back to its pool) and
 * the sink is shut down and flushed. As soon as either side would block, Transfer takes over, so slow
 * and large bodies stream exactly as before and nothing is held whole in memory.
 */
final class Relay {
  private Relay() {}

  /**
   * Copies {@code source} to {@code sink}; {@code onError} gets a failed read or write (either side).
   * Must run on the IO thread that owns both channels.
   */
  static void start(
      StreamSourceChannel source,
      StreamSinkChannel sink,
      ChannelExceptionHandler<Channel> onError,
      ByteBufferPool pool) {
    PooledByteBuffer pooled = pool.allocate();
    ByteBuffer buffer = pooled.getBuffer();
    try {
      while (true) {
        buffer.clear();
        int read = source.read(buffer);
        if (read == 0) {
          break;
        }
        if (read < 0) {
          pooled.close();
          IoUtils.safeClose(source);
          Sinks.finishWrites(sink);
          return;
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
          if (sink.write(buffer) == 0) {
            // The caller is slow: keep the bytes read and carry on once the sink can take them.
            resumeWhenWritable(source, sink, onError, pool, pooled);
            return;
          }
        }
      }
    } catch (IOException e) {
      pooled.close();
      onError.handleException(source, e);
      return;
    }
    pooled.close();
    handOver(source, sink, onError, pool);
  }

  private static void resumeWhenWritable(
      StreamSourceChannel source,
      StreamSinkChannel sink,
      ChannelExceptionHandler<Channel> onError,
      ByteBufferPool pool,
      PooledByteBuffer pending) {
    sink.getWriteSetter()
        .set(
            channel -> {
              ByteBuffer buffer = pending.getBuffer();
              try {
                while (buffer.hasRemaining()) {
                  if (sink.write(buffer) == 0) {
                    return; // still full: wait for the next write-ready event
                  }
                }
              } catch (IOException e) {
                pending.close();
                sink.suspendWrites();
                onError.handleException(sink, e);
                return;
              }
              pending.close();
              sink.suspendWrites();
              sink.getWriteSetter().set(null);
              start(source, sink, onError, pool);
            });
    sink.resumeWrites();
  }

  /** The general case, with Transfer's listeners doing the waiting. */
  private static void handOver(
      StreamSourceChannel source,
      StreamSinkChannel sink,
      ChannelExceptionHandler<Channel> onError,
      ByteBufferPool pool) {
    Transfer.initiateTransfer(
        source,
        sink,
        ChannelListeners.closingChannelListener(),
        Sinks::finishWrites,
        onError,
        onError,
        pool);
  }
}
