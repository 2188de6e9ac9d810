package dev.turnout.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * What an h2 router knows of gRPC (grpc/doc/PROTOCOL-HTTP2.md): which requests are gRPC calls, their
 * {@code grpc-timeout}, and how Turnout answers one it could not route: a trailers-only answer (one
 * HEADERS frame that ends the stream), HTTP status 200, {@code grpc-status} 14 (UNAVAILABLE) or 4
 * (DEADLINE_EXCEEDED) for a timeout, the reason percent-encoded in {@code grpc-message}, and {@code
 * l5d-err} as every Turnout error carries.
 *
 * <p>Under one of Linkerd's HTTP classifiers ({@code io.l5d.h2.nonRetryable5XX}, the default, and its
 * kin) a gRPC answer with a {@code grpc-status} other than 0 counts as a failure and is never retried:
 * Linkerd counted such answers by their HTTP status (always 200) as successes, which made a router's
 * success rate say nothing about gRPC services; the gRPC classifiers judge them by their own rules.
 */
final class GrpcAnswers {
  static final HttpString GRPC_STATUS = new HttpString("grpc-status");
  static final HttpString GRPC_MESSAGE = new HttpString("grpc-message");
  static final HttpString GRPC_TIMEOUT = new HttpString("grpc-timeout");
  static final int UNAVAILABLE = 14;
  static final int DEADLINE_EXCEEDED = 4;

  private GrpcAnswers() {}

  /** An HTTP/2 request whose content type is {@code application/grpc}, with or without a suffix. */
  static boolean isGrpc(HttpServerExchange exchange) {
    if (!Protocols.HTTP_2_0.equals(exchange.getProtocol())) {
      return false;
    }
    String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16);
  }

  /** A {@code grpc-status} value as a number; a value that is not one counts as UNKNOWN (2). */
  static int code(String value) {
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      return 2;
    }
  }

  /**
   * The call's {@code grpc-timeout} ({@code 1 to 8 digits and a unit of H, M, S, m, u or n}); empty when
   * absent or not of that form, which gRPC servers also ignore.
   */
  static Optional<Duration> timeout(HttpServerExchange exchange) {
    String v = exchange.getRequestHeaders().getFirst(GRPC_TIMEOUT);
    if (v == null || v.length() < 2 || v.length() > 9) {
      return Optional.empty();
    }
    long n;
    try {
      n = Long.parseLong(v.substring(0, v.length() - 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (n < 0) {
      return Optional.empty();
    }
    switch (v.charAt(v.length() - 1)) {
      case 'H':
        return Optional.of(Duration.ofHours(n));
      case 'M':
        return Optional.of(Duration.ofMinutes(n));
      case 'S':
        return Optional.of(Duration.ofSeconds(n));
      case 'm':
        return Optional.of(Duration.ofMillis(n));
      case 'u':
        return Optional.of(Duration.ofNanos(n * 1000));
      case 'n':
        return Optional.of(Duration.ofNanos(n));
      default:
        return Optional.empty();
    }
  }

  /**
   * Answers the call trailers-only with {@code grpcStatus} and {@code message}; {@code encodedErr} is
   * the {@code l5d-err} value already set by {@link Errors}.
   */
  static void refuse(HttpServerExchange exchange, int grpcStatus, String message, String encodedErr) {
    exchange.getResponseHeaders().clear();
    exchange.setStatusCode(200);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/grpc");
    exchange.getResponseHeaders().put(GRPC_STATUS, grpcStatus);
    exchange.getResponseHeaders().put(GRPC_MESSAGE, percentEncoded(message));
    exchange.getResponseHeaders().put(Errors.L5D_ERR, encodedErr);
    exchange.endExchange();
  }

  /** grpc-message's encoding: printable ASCII but {@code %} as it is, every other byte of UTF-8 as %XX. */
  static String percentEncoded(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(bytes.length);
    for (byte x : bytes) {
      int c = x & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return b.toString();
  }
}
