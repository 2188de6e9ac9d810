package dev.turnout.proxy.upstream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * Ending what is written to a channel, for both sides of the proxy: the caller's answer and a request
 * going upstream. Everything here runs on the sink's IO thread and never blocks: what the sink cannot
 * take at once is written when it says it can.
 */
public final class Sinks {
  private Sinks() {}

  /** Ends a body written to {@code sink}, flushing what is left asynchronously. */
  public static void finishWrites(StreamSinkChannel sink) {
    try {
      sink.shutdownWrites();
      if (!sink.flush()) {
        sink.getWriteSetter()
            .set(
                ChannelListeners.flushingChannelListener(
                    c -> {
                      c.suspendWrites();
                      c.getWriteSetter().set(null);
                    },
                    ChannelListeners.closingChannelExceptionHandler()));
        sink.resumeWrites();
      }
    } catch (IOException e) {
      IoUtils.safeClose(sink);
    }
  }

  /**
   * Sends {@code body} on {@code sink} and ends it, waiting for the sink to drain when it must; a failed
   * write goes to {@code onError}. Each call writes from a fresh view of the array, which is never
   * changed, so one body can be sent by several attempts. Must run on the sink's IO thread.
   */
  public static void write(byte[] body, StreamSinkChannel sink, Consumer<IOException> onError) {
    write(body, sink, onError, Sinks::finishWrites);
  }

  /** As above, but {@code then} gets the sink, still open, once every byte is written (instead of ending it). */
  public static void write(
      byte[] body, StreamSinkChannel sink, Consumer<IOException> onError, Consumer<StreamSinkChannel> then) {
    ByteBuffer buffer = ByteBuffer.wrap(body);
    try {
      if (writeSome(buffer, sink)) {
        then.accept(sink);
        return;
      }
    } catch (IOException e) {
      onError.accept(e);
      return;
    }
    sink.getWriteSetter()
        .set(
            c -> {
              try {
                if (!writeSome(buffer, sink)) {
                  return; // still full: wait for the next write-ready event
                }
              } catch (IOException e) {
                sink.suspendWrites();
                sink.getWriteSetter().set(null);
                onError.accept(e);
                return;
              }
              sink.suspendWrites();
              sink.getWriteSetter().set(null);
              then.accept(sink);
            });
    sink.resumeWrites();
  }

  /** Writes what the sink takes now; true when nothing is left. */
  private static boolean writeSome(ByteBuffer buffer, StreamSinkChannel sink) throws IOException {
    while (buffer.hasRemaining()) {
      if (sink.write(buffer) == 0) {
        return false;
      }
    }
    return true;
  }
}
