package dev.turnout.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Turnout's own error responses (interfaces.md section 5): the status, an {@code l5d-err} header holding
 * the URL-encoded message (cut to fit a header) and the message as a plain-text body. A response that has
 * already started cannot be replaced, so then the client connection is closed instead (over HTTP/2,
 * the request's stream is reset). A gRPC call is answered as its client understands ({@link
 * GrpcAnswers#refuse}).
 */
final class Errors {
  static final HttpString L5D_ERR = new HttpString("l5d-err");
  private static final int MAX_HEADER = 4096;

  private Errors() {}

  static void send(HttpServerExchange exchange, int status, String message) {
    send(exchange, status, message, -1);
  }

  /** As above; a gRPC call gets {@code grpcStatus} when it is not -1 (else UNAVAILABLE, or DEADLINE_EXCEEDED for 504). */
  static void send(HttpServerExchange exchange, int status, String message, int grpcStatus) {
    if (exchange.isResponseStarted()) {
      org.xnio.IoUtils.safeClose(exchange.getConnection());
      return;
    }
    exchange.getResponseHeaders().clear();
    exchange.setStatusCode(status);
    String encoded = URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20");
    if (encoded.length() > MAX_HEADER) {
      // Cut before a %XX escape rather than through it, so the header still decodes.
      int cut = MAX_HEADER;
      if (encoded.charAt(cut - 1) == '%') {
        cut -= 1;
      } else if (encoded.charAt(cut - 2) == '%') {
        cut -= 2;
      }
      encoded = encoded.substring(0, cut);
    }
    if (GrpcAnswers.isGrpc(exchange)) {
      // a gRPC caller reads grpc-status, not the HTTP status: 504 (its grpc-timeout) is DEADLINE_EXCEEDED
      int code = grpcStatus >= 0 ? grpcStatus : status == 504 ? GrpcAnswers.DEADLINE_EXCEEDED : GrpcAnswers.UNAVAILABLE;
      GrpcAnswers.refuse(exchange, code, message, encoded);
      return;
    }
    exchange.getResponseHeaders().put(L5D_ERR, encoded);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseSender().send(message + "\n", StandardCharsets.UTF_8);
  }
}
