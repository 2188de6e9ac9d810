package dev.turnout.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpAttachments;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A request's access log line in Linkerd 1's format (its http {@code AccessLogger}), written when the
 * answer has gone:
 *
 * <pre>
 * users.example 127.0.0.1 - - [05/03/2024:14:07:09 UTC] "GET /a?b=1 HTTP/1.1" 200 5 "-" "curl/8.5.0"
 * </pre>
 *
 * <p>That is the {@code Host} header, the caller's IP address, identd and user (always {@code -}), the
 * time in the process's zone, the request line as the caller sent its target, the status, the
 * response's {@code Content-Length} ({@code -} without one, as for a chunked answer), then {@code
 * Referer} and {@code User-Agent}; a missing header is {@code -}. A gRPC call's line (an answer of
 * content type {@code application/grpc...}, on an h2 router) ends with the status its caller got, from
 * the trailers or a trailers-only head: {@code grpc-status=0}, or {@code grpc-status=-} for a call cut
 * before its trailers. Linkerd's h2 log had no such field; it is the only way to see a failed call
 * there, since gRPC answers are HTTP 200. The time text is made once a second
 * and shared by the IO threads, so a line costs its own string and little else.
 */
final class AccessLines {
  private static final HttpString GRPC_STATUS = new HttpString("grpc-status");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MM/yyyy:HH:mm:ss z", Locale.ROOT);

  /** The time text of one second. */
  private record Stamp(long second, String text) {}

  private final Clock clock;
  private volatile Stamp stamp = new Stamp(Long.MIN_VALUE, "");

  AccessLines(Clock clock) {
    this.clock = clock;
  }

  String line(HttpServerExchange ex) {
    HeaderMap in = ex.getRequestHeaders();
    StringBuilder sb = new StringBuilder(160);
    sb.append(orDash(in.getFirst(Headers.HOST))).append(' ');
    InetSocketAddress peer = ex.getConnection().getPeerAddress(InetSocketAddress.class);
    sb.append(peer == null || peer.getAddress() == null ? "-" : peer.getAddress().getHostAddress());
    sb.append(" - - [").append(time()).append("] \"");
    sb.append(ex.getRequestMethod()).append(' ').append(ex.getRequestURI());
    if (!ex.getQueryString().isEmpty()) {
      sb.append('?').append(ex.getQueryString());
    }
    sb.append(' ').append(ex.getProtocol()).append("\" ").append(ex.getStatusCode()).append(' ');
    sb.append(orDash(ex.getResponseHeaders().getFirst(Headers.CONTENT_LENGTH)));
    sb.append(" \"").append(orDash(in.getFirst(Headers.REFERER))).append("\" \"");
    sb.append(orDash(in.getFirst(Headers.USER_AGENT))).append('"');
    String type = ex.getResponseHeaders().getFirst(Headers.CONTENT_TYPE);
    if (type != null && type.regionMatches(true, 0, "application/grpc", 0, 16)) {
      sb.append(" grpc-status=").append(orDash(grpcStatus(ex)));
    }
    return sb.toString();
  }

  /** The call's status as the caller got it: in the trailers, or in the head of a trailers-only answer. */
  private static String grpcStatus(HttpServerExchange ex) {
    HeaderMap trailers = ex.getAttachment(HttpAttachments.RESPONSE_TRAILERS);
    String status = trailers == null ? null : trailers.getFirst(GRPC_STATUS);
    return status != null ? status : ex.getResponseHeaders().getFirst(GRPC_STATUS);
  }

  private String time() {
    long now = clock.millis() / 1000;
    Stamp s = stamp;
    if (s.second != now) {
      s = new Stamp(now, TIME.format(java.time.Instant.ofEpochSecond(now).atZone(clock.getZone())));
      stamp = s;
    }
    return s.text;
  }

  private static String orDash(String v) {
    return v == null || v.isEmpty() ? "-" : v;
  }
}
