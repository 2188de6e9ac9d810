package dev.turnout.proxy.upstream;

import java.io.IOException;

/**
 * An HTTP/2 stream the backend reset ({@code RST_STREAM}) after it had begun to process the request,
 * with the reset's error code (RFC 9113 section 7), so that a gRPC caller can be told what gRPC's own
 * clients would say (grpc/doc/PROTOCOL-HTTP2.md, "Errors").
 */
public final class StreamReset extends IOException {
  private static final String[] NAMES = {
    "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED",
    "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
    "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"
  };
  static final int REFUSED_STREAM = 7;

  private final int code;

  StreamReset(int code, String message) {
    super(message);
    this.code = code;
  }

  /** The reset's error code. */
  public int code() {
    return code;
  }

  /** An HTTP/2 error code's name, or its number in hex when it has none. */
  public static String name(int code) {
    return code >= 0 && code < NAMES.length ? NAMES[code] : "0x" + Integer.toHexString(code);
  }

  /**
   * The gRPC status a gRPC client gives a call whose stream was reset with {@code code} before its
   * answer: CANCELLED for CANCEL, UNAVAILABLE for REFUSED_STREAM, RESOURCE_EXHAUSTED for
   * ENHANCE_YOUR_CALM, PERMISSION_DENIED for INADEQUATE_SECURITY, INTERNAL for the rest.
   */
  public int grpcStatus() {
    return switch (code) {
      case 8 -> 1;
      case REFUSED_STREAM -> 14;
      case 11 -> 8;
      case 12 -> 7;
      default -> 13;
    };
  }
}
