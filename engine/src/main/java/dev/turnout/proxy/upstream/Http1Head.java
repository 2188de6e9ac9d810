package dev.turnout.proxy.upstream;

import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An HTTP/1.1 request head as bytes: {@code METHOD target HTTP/1.1}, the header lines as the request
 * writes them ({@link UpstreamRequest#headers}), and the blank line. Each line is encoded the moment it
 * is written, straight from the caller's header values, into an array the IO thread keeps ({@link
 * Scratch#head}): no map of the backend's headers is built on the way, and no string made.
 *
 * <p>One head at a time per thread: {@link #start} begins it, {@link #end} hands out its bytes, which
 * stay good until the thread starts the next head.
 */
final class Http1Head implements HeaderSink {
  private byte[] bytes = new byte[4096];
  private ByteBuffer buffer = ByteBuffer.wrap(bytes);
  private int at;

  /** Begins a head with its request line. */
  Http1Head start(HttpString method, String target) {
    at = 0;
    room(method.length() + 1 + target.length() + HTTP_11_CRLF.length);
    method.copyTo(bytes, 0);
    at = method.length();
    bytes[at++] = ' ';
    put(target);
    System.arraycopy(HTTP_11_CRLF, 0, bytes, at, HTTP_11_CRLF.length);
    at += HTTP_11_CRLF.length;
    return this;
  }

  /** Writes the line {@code name: value}. */
  @Override
  public void header(HttpString name, String value) {
    lineStart(name, value.length());
    put(value);
    crlf();
  }

  /** Writes {@code name: value} with the value's hex digits, as {@link Long#toHexString} spells them. */
  @Override
  public void hexHeader(HttpString name, long value) {
    int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(value)) / 4);
    lineStart(name, digits);
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      bytes[at++] = HEX[(int) (value >>> shift) & 0xf];
    }
    crlf();
  }

  /** {@code name: }, with room made for a value of {@code valueLength} bytes and the line's end. */
  private void lineStart(HttpString name, int valueLength) {
    room(name.length() + 2 + valueLength + 2);
    name.copyTo(bytes, at);
    at += name.length();
    bytes[at++] = ':';
    bytes[at++] = ' ';
  }

  private void crlf() {
    bytes[at++] = '\r';
    bytes[at++] = '\n';
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** Ends the head with its blank line: its bytes, a buffer over the thread's array. */
  ByteBuffer end() {
    room(2);
    crlf();
    return buffer.clear().limit(at);
  }

  private void room(int more) {
    if (at + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(at + more, bytes.length * 2));
      buffer = ByteBuffer.wrap(bytes);
    }
  }

  private static final byte[] HTTP_11_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

  private void put(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      bytes[at++] = (byte) s.charAt(i);
    }
  }
}
