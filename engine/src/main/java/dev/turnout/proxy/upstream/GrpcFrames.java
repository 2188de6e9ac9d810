package dev.turnout.proxy.upstream;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Follows gRPC's message framing (a flag byte, a 4-byte length, the message) through a body as it is
 * relayed, to tell whether it stopped between two messages, where trailers may still end the call
 * cleanly, or inside one, where only a reset can.
 */
final class GrpcFrames implements Consumer<ByteBuffer> {
  private static final int HEAD = 5;
  private int headLeft = HEAD;
  private long length;
  private long messageLeft;

  @Override
  public void accept(ByteBuffer bytes) {
    while (bytes.hasRemaining()) {
      if (messageLeft > 0) {
        int n = (int) Math.min(messageLeft, bytes.remaining());
        bytes.position(bytes.position() + n);
        messageLeft -= n;
        continue;
      }
      int b = bytes.get() & 0xff;
      headLeft--;
      if (headLeft < HEAD - 1) { // the length's bytes, after the flag byte
        length = length << 8 | b;
      }
      if (headLeft == 0) {
        messageLeft = length;
        length = 0;
        headLeft = HEAD;
      }
    }
  }

  /** Nothing of a message has been seen without the rest of it. */
  boolean betweenMessages() {
    return headLeft == HEAD && messageLeft == 0;
  }
}
