package dev.turnout.proxy.upstream;

import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The head of a backend's HTTP/1.x answer as the upstream client reads it (RFC 9112 sections 4 to 6):
 * the status, the header fields, and what they say about framing the body and keeping the connection.
 *
 * <p>{@link #read} is strict where a lenient reading would let a backend smuggle a second answer into
 * the first or leave the body's end in doubt: an unparseable status line, a field line without a colon
 * or with space before it, a folded (obs-fold) line, or Content-Length values that disagree are {@link
 * Malformed}. It accepts a bare LF as a line end, as RFC 9112 section 2.2 allows.
 *
 * <p>The fields go into a map the caller may hand in: the exchange's own response headers when the
 * answer is likely to be relayed, so a relayed answer's head is parsed once and copied nowhere. The
 * caller then empties that map for a head it does not relay (an interim one, a 101 nobody asked for,
 * one past the size limit); a malformed head is never left in it.
 */
final class ResponseHead {
  /** The body's length is not given: it runs to the end of the connection (or there is none). */
  static final long NO_LENGTH = -1;

  /** RFC 9110's tchar, by byte value. */
  private static final boolean[] TCHAR = new boolean[256];

  static {
    for (int c = 0; c < 128; c++) {
      TCHAR[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
  }

  /** A backend answer that breaks HTTP/1.1: the connection cannot be trusted for another request. */
  static final class Malformed extends java.io.IOException {
    Malformed(String message) {
      super(message);
    }
  }

  int status;
  HeaderMap headers;
  /** The Content-Length, or {@link #NO_LENGTH}; meaningless when {@link #chunked}. */
  long contentLength;
  /** The last transfer coding is chunked. */
  boolean chunked;
  /** A transfer coding other than chunked ends the list: the body runs to the end of the connection. */
  boolean untilClose;
  /** The backend will keep the connection open after this answer. */
  boolean keepAlive;

  /** The scratch space of the thread that reads with this head. */
  private final Scratch scratch;

  /**
   * A head read again for each answer by {@link #read}: one per {@link UpstreamConnection}, on its IO
   * thread, with that thread's {@code scratch} (the bytes a head is parsed from, the values kept).
   */
  ResponseHead(Scratch scratch) {
    this.scratch = scratch;
  }

  /** An interim (1xx) answer other than 101: another head follows it. */
  boolean interim() {
    return status >= 100 && status < 200 && status != 101;
  }

  /**
   * Reads one head from {@code in} (read mode) into a new head with scratch space of its own: for
   * tests and one-off reads. Returns null when the head is not all there yet, leaving {@code in} as it
   * was; otherwise the head, with {@code in} positioned at the first byte after it (where the body
   * starts).
   *
   * @throws Malformed when the bytes are not an HTTP/1.x response head
   */
  static ResponseHead parse(ByteBuffer in) throws Malformed {
    return parse(in, null);
  }

  /** As {@link #parse(ByteBuffer)}, the header fields added as {@link #read} adds them. */
  static ResponseHead parse(ByteBuffer in, HeaderMap into) throws Malformed {
    ResponseHead head = new ResponseHead(new Scratch());
    return head.read(in, into) ? head : null;
  }

  /**
   * Reads one head from {@code in} (read mode) into this one, whatever it held before. Returns false
   * when the head is not all there yet, leaving {@code in} as it was; otherwise true, with {@code in}
   * positioned at the first byte after the head (where the body starts). The header fields go to
   * {@code into} (an empty map, the exchange's response headers when the answer is likely to be
   * relayed) or, when null, to a new map. A malformed head (or any exception) leaves {@code into} empty.
   *
   * @throws Malformed when the bytes are not an HTTP/1.x response head
   */
  boolean read(ByteBuffer in, HeaderMap into) throws Malformed {
    int start = in.position();
    int available = in.remaining();
    byte[] raw = scratch.headBytes;
    // A bulk copy of the first bytes (a head is a few hundred), then array reads; all of them only
    // when the head is longer, so a large body that came with its head is not copied to find it.
    int first = Math.min(available, FIRST_LOOK);
    in.get(start, raw, 0, first);
    int end = headEnd(raw, first);
    if (end < 0 && available > first) {
      if (raw.length < available) {
        raw = Arrays.copyOf(raw, Math.max(available, raw.length * 2));
        scratch.headBytes = raw;
      }
      in.get(start + first, raw, first, available - first);
      end = headEnd(raw, available);
    }
    if (end < 0) {
      return false;
    }
    HeaderMap fields = into != null ? into : new HeaderMap();
    boolean read = false;
    try {
      parse(raw, end, fields);
      read = true;
    } finally {
      if (!read) {
        fields.clear(); // malformed, or a bug: nothing of it stays in the caller's map
      }
    }
    in.position(start + end);
    return true;
  }

  /** How many bytes are searched for the end of the head before all that was read is. */
  static final int FIRST_LOOK = 2048;

  /** The index just past the blank line that ends the head, or -1 when it has not arrived. */
  private static int headEnd(byte[] raw, int to) {
    for (int i = 0; i < to; i++) {
      if (raw[i] != '\n') {
        continue;
      }
      if (i + 1 < to && raw[i + 1] == '\n') {
        return i + 2;
      }
      if (i + 2 < to && raw[i + 1] == '\r' && raw[i + 2] == '\n') {
        return i + 3;
      }
    }
    return -1;
  }

  /** Parses the head in {@code raw[0, headLength)}, which ends with its blank line, into this one. */
  private void parse(byte[] raw, int headLength, HeaderMap headers) throws Malformed {
    int lineEnd = lineEnd(raw, 0, headLength);
    int contentEnd = trimCr(raw, 0, lineEnd);
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (contentEnd < 12
        || !startsWith(raw, "HTTP/1.")
        || (raw[7] != '0' && raw[7] != '1')
        || raw[8] != ' '
        || !digit(raw[9])
        || !digit(raw[10])
        || !digit(raw[11])
        || (contentEnd > 12 && raw[12] != ' ')) {
      throw new Malformed("not an HTTP/1.x status line: " + printable(raw, 0, contentEnd));
    }
    boolean http11 = raw[7] == '1';
    int status = (raw[9] - '0') * 100 + (raw[10] - '0') * 10 + (raw[11] - '0');
    if (status < 100) {
      throw new Malformed("status " + status + " is not an HTTP status code");
    }
    String[] values = scratch.headValues;
    // Whether the fields that frame the body and say how the connection goes came at all, so that
    // an answer without them (most have no Transfer-Encoding) is not looked up for them afterwards.
    boolean sawLength = false;
    boolean sawCoding = false;
    boolean sawConnection = false;
    int at = lineEnd + 1;
    while (true) {
      lineEnd = lineEnd(raw, at, headLength);
      contentEnd = trimCr(raw, at, lineEnd);
      if (contentEnd == at) {
        break; // the blank line
      }
      if (raw[at] == ' ' || raw[at] == '\t') {
        throw new Malformed("a folded header line (obs-fold) in the answer");
      }
      int colon = at;
      while (colon < contentEnd && raw[colon] != ':') {
        if (!tokenChar(raw[colon])) {
          throw new Malformed("not a header line: " + printable(raw, at, contentEnd));
        }
        colon++;
      }
      if (colon == contentEnd || colon == at) {
        throw new Malformed("not a header line: " + printable(raw, at, contentEnd));
      }
      int v = colon + 1;
      int ve = contentEnd;
      while (v < ve && (raw[v] == ' ' || raw[v] == '\t')) {
        v++;
      }
      while (ve > v && (raw[ve - 1] == ' ' || raw[ve - 1] == '\t')) {
        ve--;
      }
      HttpString name = name(raw, at, colon);
      if (name == Headers.CONTENT_LENGTH) {
        sawLength = true;
      } else if (name == Headers.TRANSFER_ENCODING) {
        sawCoding = true;
      } else if (name == Headers.CONNECTION) {
        sawConnection = true;
      }
      headers.add(name, value(values, raw, v, ve));
      at = lineEnd + 1;
    }
    String te = sawCoding ? headers.getLast(Headers.TRANSFER_ENCODING) : null;
    boolean chunked = false;
    boolean untilClose = false;
    if (te != null) {
      chunked = lastCodingIsChunked(headers.get(Headers.TRANSFER_ENCODING));
      untilClose = !chunked;
    }
    long length;
    if (chunked || untilClose) {
      // Transfer-Encoding overrides a Content-Length, which a proxy must not pass on (RFC 9112
      // section 6.3): the caller would take it as the body's length and lose the rest.
      headers.remove(Headers.CONTENT_LENGTH);
      length = NO_LENGTH;
    } else {
      length = sawLength ? contentLength(headers.get(Headers.CONTENT_LENGTH)) : NO_LENGTH;
    }
    // An HTTP/1.0 answer with a Transfer-Encoding may be framed wrong: the connection ends with it
    // (RFC 9112 section 6.1).
    boolean keepAlive =
        keepAlive(http11, sawConnection ? headers.get(Headers.CONNECTION) : null)
            && !untilClose
            && (http11 || te == null);
    this.status = status;
    this.headers = headers;
    this.contentLength = length;
    this.chunked = chunked;
    this.untilClose = untilClose;
    this.keepAlive = keepAlive;
  }

  private static int lineEnd(byte[] raw, int from, int length) {
    for (int i = from; i < length; i++) {
      if (raw[i] == '\n') {
        return i;
      }
    }
    return length; // cannot happen: the head ends with a line end
  }

  private static int trimCr(byte[] raw, int from, int lineEnd) {
    return lineEnd > from && raw[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
  }

  private static boolean startsWith(byte[] raw, String prefix) {
    for (int i = 0; i < prefix.length(); i++) {
      if (raw[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean digit(byte b) {
    return b >= '0' && b <= '9';
  }

  private static boolean tokenChar(byte b) {
    return TCHAR[b & 0xff];
  }

  /**
   * Names most answers carry, matched on their bytes so that no string is made for them. The parse
   * tells the framing fields (Content-Length, Transfer-Encoding, Connection) by these constants: they
   * must stay in the list.
   */
  private static final HttpString[] KNOWN = {
    Headers.CONTENT_LENGTH, Headers.CONTENT_TYPE, Headers.DATE, Headers.SERVER, Headers.CONNECTION,
    Headers.TRANSFER_ENCODING, Headers.CACHE_CONTROL, Headers.ETAG, Headers.LAST_MODIFIED,
    Headers.LOCATION, Headers.SET_COOKIE, Headers.VARY, Headers.EXPIRES, Headers.ACCEPT_RANGES,
    Headers.CONTENT_ENCODING, Headers.AGE, Headers.PRAGMA, Headers.KEEP_ALIVE,
  };

  /** Values kept per IO thread (a power of two), and the longest value kept. */
  static final int VALUES_KEPT = 64;

  private static final int VALUE_KEPT_MAX = 64;

  /** The value in {@code raw[from, to)}: the string kept for those bytes, or a new one, then kept. */
  private static String value(String[] kept, byte[] raw, int from, int to) {
    int length = to - from;
    if (length > VALUE_KEPT_MAX) {
      return new String(raw, from, length, StandardCharsets.ISO_8859_1);
    }
    int h = length;
    for (int i = from; i < to; i++) {
      h = 31 * h + raw[i];
    }
    // Two places per hash, the newer value first: two values of one answer that share a hash (Date
    // moves every second) would otherwise push each other out on every answer.
    int first = (h ^ (h >>> 16)) & (VALUES_KEPT - 1);
    int second = first ^ 1;
    String s = kept[first];
    if (s != null && spells(s, raw, from, length)) {
      return s;
    }
    s = kept[second];
    if (s != null && spells(s, raw, from, length)) {
      return s;
    }
    s = new String(raw, from, length, StandardCharsets.ISO_8859_1);
    kept[second] = kept[first];
    kept[first] = s;
    return s;
  }

  private static boolean spells(String s, byte[] raw, int from, int length) {
    if (s.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (s.charAt(i) != (char) (raw[from + i] & 0xff)) {
        return false;
      }
    }
    return true;
  }

  /** The field name, as Undertow's shared constant when it is a well-known one. */
  private static HttpString name(byte[] raw, int from, int to) {
    int length = to - from;
    for (HttpString known : KNOWN) {
      if (known.length() == length && sameIgnoringCase(known, raw, from)) {
        return known;
      }
    }
    String text = new String(raw, from, length, StandardCharsets.ISO_8859_1);
    HttpString cached = Headers.fromCache(text);
    return cached != null ? cached : new HttpString(text);
  }

  /**
   * Whether {@code raw} from {@code from} spells {@code known} (letters and '-') in any case. Setting
   * bit 0x20 folds case, and no other token character folds onto a letter or '-'.
   */
  private static boolean sameIgnoringCase(HttpString known, byte[] raw, int from) {
    for (int i = 0, n = known.length(); i < n; i++) {
      if ((known.byteAt(i) | 0x20) != (raw[from + i] | 0x20)) {
        return false;
      }
    }
    return true;
  }

  private static boolean lastCodingIsChunked(HeaderValues values) {
    String last = values.getLast();
    int comma = last.lastIndexOf(',');
    String coding = (comma < 0 ? last : last.substring(comma + 1)).trim();
    return coding.equalsIgnoreCase("chunked");
  }

  /** The one length all Content-Length values agree on, or {@link #NO_LENGTH} when there is none. */
  private static long contentLength(HeaderValues values) throws Malformed {
    if (values == null) {
      return NO_LENGTH;
    }
    long length = NO_LENGTH;
    for (int v = 0; v < values.size(); v++) {
      String value = values.get(v);
      // a list of lengths, "3, 3" (RFC 9110 section 8.6), read without splitting
      for (int start = 0; start <= value.length(); ) {
        int comma = value.indexOf(',', start);
        int end = comma < 0 ? value.length() : comma;
        long one = digits(value, start, end);
        if (one < 0) {
          throw new Malformed("Content-Length '" + value + "' is not a length");
        }
        if (length >= 0 && one != length) {
          throw new Malformed("Content-Length values disagree: " + values);
        }
        length = one;
        start = end + 1;
      }
    }
    return length;
  }

  /** The decimal number in {@code s[from, to)} less spaces around it, or -1 when it is none. */
  private static long digits(String s, int from, int to) {
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    if (from == to || to - from > 18) {
      return -1;
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static boolean keepAlive(boolean http11, HeaderValues connection) {
    if (connection == null) {
      return http11;
    }
    boolean close = false;
    boolean keep = false;
    for (int v = 0; v < connection.size(); v++) {
      String value = connection.get(v);
      for (int start = 0; start < value.length(); ) {
        int comma = value.indexOf(',', start);
        int end = comma < 0 ? value.length() : comma;
        close |= token(value, start, end, "close");
        keep |= token(value, start, end, "keep-alive");
        start = end + 1;
      }
    }
    return !close && (http11 || keep);
  }

  /** Whether {@code s[from, to)}, spaces around it aside, is {@code token} in any case. */
  private static boolean token(String s, int from, int to, String token) {
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    return to - from == token.length() && s.regionMatches(true, from, token, 0, token.length());
  }

  private static String printable(byte[] raw, int from, int to) {
    int end = Math.min(to, from + 80);
    StringBuilder s = new StringBuilder();
    for (int i = from; i < end; i++) {
      char c = (char) (raw[i] & 0xff);
      s.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return s.append(to > end ? "..." : "").toString();
  }
}
