package dev.turnout.proxy.upstream;

import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 request head as bytes: {@code METHOD target HTTP/1.1}, the header lines and the blank
 * line, written into an array (the IO thread's {@link Scratch}) without a string made on the way.
 */
final class Http1Head {
  private Http1Head() {}

  /** The bytes {@link #write} writes. */
  static int length(HttpString method, String target, HeaderMap headers) {
    int n = method.length() + 1 + target.length() + HTTP_11_CRLF.length + 2;
    long f = headers.fastIterateNonEmpty();
    while (f != -1L) {
      HeaderValues values = headers.fiCurrent(f);
      int name = values.getHeaderName().length();
      for (int i = 0; i < values.size(); i++) {
        n += name + 2 + values.get(i).length() + 2;
      }
      f = headers.fiNextNonEmpty(f);
    }
    return n;
  }

  /** Writes {@code METHOD target HTTP/1.1}, the headers and the blank line into {@code b} from 0. */
  static void write(byte[] b, HttpString method, String target, HeaderMap headers) {
    method.copyTo(b, 0);
    int at = method.length();
    b[at++] = ' ';
    at = put(b, at, target);
    System.arraycopy(HTTP_11_CRLF, 0, b, at, HTTP_11_CRLF.length);
    at += HTTP_11_CRLF.length;
    long f = headers.fastIterateNonEmpty();
    while (f != -1L) {
      HeaderValues values = headers.fiCurrent(f);
      HttpString name = values.getHeaderName();
      for (int i = 0; i < values.size(); i++) {
        name.copyTo(b, at);
        at += name.length();
        b[at++] = ':';
        b[at++] = ' ';
        at = put(b, at, values.get(i));
        b[at++] = '\r';
        b[at++] = '\n';
      }
      f = headers.fiNextNonEmpty(f);
    }
    b[at++] = '\r';
    b[at] = '\n';
  }

  private static final byte[] HTTP_11_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

  private static int put(byte[] b, int at, String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      b[at++] = (byte) s.charAt(i);
    }
    return at;
  }
}
