package dev.turnout.proxy;

import dev.turnout.proxy.upstream.HeaderSink;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.Set;

/**
 * Hop-by-hop headers (RFC 9110 section 7.6.1): they describe one connection, so a proxy drops them, and
 * also any header the {@code Connection} header names. {@code Transfer-Encoding} is dropped too: each
 * side frames the body itself (Content-Length when known, otherwise chunked).
 */
final class Hop {
  private static final HttpString[] HOP_NAMES = {
    Headers.CONNECTION,
    new HttpString("Keep-Alive"),
    new HttpString("Proxy-Connection"),
    Headers.TE,
    Headers.TRAILER,
    Headers.TRANSFER_ENCODING,
    Headers.UPGRADE,
  };

  private static final Set<HttpString> HOP = Set.of(HOP_NAMES);

  /**
   * One bit for each hop-by-hop name's hash, modulo 64: most names a message carries have no bit here
   * and are passed without probing {@link #HOP} (a probe per header per message was 0.2% of the proxy's
   * CPU under load). {@link HttpString#hashCode()} is case-insensitive and kept in the name.
   */
  private static final long HOP_BITS = hashBits(HOP);

  private Hop() {}

  private static long hashBits(Set<HttpString> names) {
    long bits = 0;
    for (HttpString n : names) {
      bits |= 1L << n.hashCode();
    }
    return bits;
  }

  /** Whether {@code name} describes one connection only: never passed on. */
  static boolean isHopByHop(HttpString name) {
    return (HOP_BITS & (1L << name.hashCode())) != 0 && HOP.contains(name);
  }

  /**
   * The request's path exactly as the caller sent it, percent-escapes and all, without a scheme and
   * host (absolute-form) and without the query. Undertow's {@code getRequestPath()} is decoded, and
   * forwarding it would turn {@code /a%3Fb} into a query or put a raw space in the request line.
   */
  static String rawPath(io.undertow.server.HttpServerExchange exchange) {
    String uri = exchange.getRequestURI();
    if (exchange.isHostIncludedInRequestURI()) {
      int scheme = uri.indexOf("://");
      int slash = scheme < 0 ? -1 : uri.indexOf('/', scheme + 3);
      uri = slash < 0 ? "/" : uri.substring(slash);
    }
    return uri.isEmpty() ? "/" : uri;
  }

  /**
   * The request target to send upstream: the path an {@code io.l5d.path} identifier left after consuming
   * its segments when it did, else the caller's own path; plus the query.
   */
  static String target(java.util.Optional<String> rewrittenPath, io.undertow.server.HttpServerExchange exchange) {
    return withQuery(rewrittenPath.isPresent() ? rewrittenPath.get() : rawPath(exchange), exchange);
  }

  /** {@code path} with the exchange's query, as a request line's target. */
  static String withQuery(String path, io.undertow.server.HttpServerExchange exchange) {
    String q = exchange.getQueryString();
    return q == null || q.isEmpty() ? path : path + "?" + q;
  }

  /**
   * Copies end-to-end headers from {@code from} to {@code to} (replacing what {@code to} had under each
   * name), skipping {@code skip} as well. Values are copied by index: {@code HeaderMap.putAll} would
   * make an iterator for every header of every request.
   */
  static void copy(HeaderMap from, HeaderMap to, Set<HttpString> skip) {
    // forward gives a name's values together: the first replaces, the rest are added
    forward(from, skip, new HeaderSink() {
      private HttpString last;

      @Override
      public void header(HttpString name, String value) {
        if (name.equals(last)) {
          to.add(name, value);
        } else {
          to.put(name, value);
          last = name;
        }
      }
    });
  }

  /**
   * Writes the end-to-end headers of {@code from} to {@code to}, a line for each value, skipping {@code
   * skip} as well: what {@link #copy} would put in a map, with no map made. The lines come in the
   * map's order, the values of one name together in the order they came.
   */
  static void forward(HeaderMap from, Set<HttpString> skip, HeaderSink to) {
    String connection = listing(from);
    long f = from.fastIterateNonEmpty();
    while (f != -1L) {
      HeaderValues values = from.fiCurrent(f);
      HttpString name = values.getHeaderName();
      if (passes(name, skip, connection)) {
        for (int i = 0; i < values.size(); i++) {
          to.header(name, values.get(i));
        }
      }
      f = from.fiNextNonEmpty(f);
    }
  }

  /** Whether {@link #forward} passes {@code from}'s {@code name} on (with no skip of its own). */
  static boolean forwards(HeaderMap from, HttpString name) {
    return from.contains(name) && passes(name, Set.of(), listing(from));
  }

  /**
   * The {@code Connection} tokens as one list: the value when there is one line (no string made), the
   * lines joined when a sender split them over several; null when there are none: it names nothing.
   */
  private static String listing(HeaderMap from) {
    HeaderValues lines = from.get(Headers.CONNECTION);
    if (lines == null || lines.isEmpty()) {
      return null;
    }
    String connection = lines.size() == 1 ? lines.getFirst() : String.join(",", lines);
    return connection.isEmpty() ? null : connection;
  }

  /** Whether a header {@code name} goes on: not hop-by-hop, not skipped, not named by {@code connection}. */
  private static boolean passes(HttpString name, Set<HttpString> skip, String connection) {
    return !isHopByHop(name) && !skip.contains(name) && (connection == null || !namedIn(connection, name));
  }

  /**
   * Drops from {@code headers}, in place, what {@link #copy} would not copy: the hop-by-hop headers
   * and those the Connection header (every line of it) names. For an answer parsed straight into the
   * caller's exchange.
   */
  static void strip(HeaderMap headers) {
    String connection = listing(headers);
    if (connection != null) {
      int len = connection.length();
      for (int start = 0; start < len; ) {
        int end = tokenEnd(connection, start);
        int from = trimmedFrom(connection, start, end);
        int to = trimmedTo(connection, from, end);
        // the usual tokens without a string made for them: keep-alive goes below, as a hop header
        if (to - from == 5 && connection.regionMatches(true, from, "close", 0, 5)) {
          headers.remove("close");
        } else if (to > from && !(to - from == 10 && connection.regionMatches(true, from, "keep-alive", 0, 10))) {
          headers.remove(connection.substring(from, to));
        }
        start = end + 1;
      }
    }
    for (HttpString hop : HOP_NAMES) {
      headers.remove(hop);
    }
  }

  /**
   * Whether the {@code Connection} value lists {@code name} among its comma-separated tokens, compared
   * in place, ignoring case and the spaces around each: a substring per token was made for every header
   * of every answer that says {@code Connection: keep-alive}.
   */
  static boolean namedIn(String connection, HttpString name) {
    int len = connection.length();
    int start = 0;
    while (start < len) {
      int end = tokenEnd(connection, start);
      int from = trimmedFrom(connection, start, end);
      int to = trimmedTo(connection, from, end);
      if (to > from && spells(name, connection, from, to)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  /**
   * Where the comma-separated token of {@code list} that starts at {@code start} ends (its comma, or the
   * end of the list). With {@link #trimmedFrom} and {@link #trimmedTo}, a list is walked in place: no
   * array or string per token.
   */
  static int tokenEnd(String list, int start) {
    int comma = list.indexOf(',', start);
    return comma < 0 ? list.length() : comma;
  }

  /** {@code from} moved past the spaces and tabs that open {@code text[from, to)}. */
  static int trimmedFrom(String text, int from, int to) {
    while (from < to && text.charAt(from) <= ' ') {
      from++;
    }
    return from;
  }

  /** {@code to} moved back over the spaces and tabs that close {@code text[from, to)}. */
  static int trimmedTo(String text, int from, int to) {
    while (to > from && text.charAt(to - 1) <= ' ') {
      to--;
    }
    return to;
  }

  /** Whether {@code name} is {@code text[from, to)}, ignoring ASCII case. */
  private static boolean spells(HttpString name, String text, int from, int to) {
    if (name.length() != to - from) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      int a = name.byteAt(i) & 0xff;
      int b = text.charAt(from + i);
      if (a != b && lower(a) != lower(b)) {
        return false;
      }
    }
    return true;
  }

  private static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
  }

  /**
   * True when the request carries a body: a non-zero Content-Length or any Transfer-Encoding; over
   * HTTP/2, which has neither framing header, also a stream its HEADERS frame did not end.
   */
  static boolean hasBody(io.undertow.server.HttpServerExchange exchange) {
    if (exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING)) {
      return true;
    }
    if (io.undertow.util.Protocols.HTTP_2_0.equals(exchange.getProtocol()) && !exchange.isRequestComplete()) {
      String length = exchange.getRequestHeaders().getFirst(Headers.CONTENT_LENGTH);
      return length == null || !length.trim().equals("0");
    }
    String length = exchange.getRequestHeaders().getFirst(Headers.CONTENT_LENGTH);
    return length != null && !length.trim().equals("0");
  }
}
