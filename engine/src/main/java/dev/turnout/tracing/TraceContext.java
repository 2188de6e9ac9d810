package dev.turnout.tracing;

import java.util.Base64;
import java.util.Optional;

/**
 * The trace a request arrived in, as its caller's headers say: the trace id (128 bits, {@code
 * traceIdHigh} 0 for a 64-bit one), the caller's span (the parent of this hop's server span), and its
 * sampling decision, if it made one. Two encodings are read and written:
 *
 * <ul>
 *   <li>{@code l5d-ctx-trace}, Linkerd 1's (Finagle's {@code TraceId.serialize}, base64): big-endian
 *       {@code spanId:8 parentId:8 traceId:8 flags:8}, then {@code traceIdHigh:8} for a 128-bit trace
 *       (40 bytes). Flags: 1 debug (sampled whatever the rate), 2 sampling known, 4 sampled.
 *   <li>W3C {@code traceparent}: {@code 00-<32 hex trace id>-<16 hex parent span>-<2 hex flags>}, flag 1
 *       sampled; the W3C format has no "not decided", so an unsampled flag is a decision not to sample.
 * </ul>
 */
public record TraceContext(long traceIdHigh, long traceId, long spanId, Optional<Boolean> sampled) {
  private static final long DEBUG = 1;
  private static final long SAMPLING_KNOWN = 2;
  private static final long SAMPLED = 4;

  public TraceContext {
    if (traceId == 0 && traceIdHigh == 0) {
      throw new IllegalArgumentException("a trace id is not all zeros");
    }
  }

  /** The context in an {@code l5d-ctx-trace} value; empty for anything that is not one. */
  public static Optional<TraceContext> fromL5d(String b64) {
    if (b64 == null || b64.isEmpty()) {
      return Optional.empty();
    }
    byte[] b;
    try {
      b = Base64.getDecoder().decode(b64.trim());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (b.length != 32 && b.length != 40) {
      return Optional.empty();
    }
    long spanId = longAt(b, 0);
    long traceId = longAt(b, 16);
    long flags = longAt(b, 24);
    long high = b.length == 40 ? longAt(b, 32) : 0;
    if (traceId == 0 && high == 0) {
      return Optional.empty();
    }
    Optional<Boolean> sampled =
        (flags & DEBUG) != 0
            ? Optional.of(true)
            : (flags & SAMPLING_KNOWN) != 0 ? Optional.of((flags & SAMPLED) != 0) : Optional.empty();
    return Optional.of(new TraceContext(high, traceId, spanId, sampled));
  }

  /** The context in a {@code traceparent} value of version 00 (or a later one read as 00); else empty. */
  public static Optional<TraceContext> fromTraceparent(String v) {
    if (v == null) {
      return Optional.empty();
    }
    String s = v.trim();
    if (s.length() < 55 || s.charAt(2) != '-' || s.charAt(35) != '-' || s.charAt(52) != '-'
        || s.startsWith("ff") || (s.startsWith("00") && s.length() != 55)) {
      return Optional.empty();
    }
    try {
      long high = Long.parseUnsignedLong(s.substring(3, 19), 16);
      long low = Long.parseUnsignedLong(s.substring(19, 35), 16);
      long parent = Long.parseUnsignedLong(s.substring(36, 52), 16);
      int flags = Integer.parseInt(s.substring(53, 55), 16);
      if ((high == 0 && low == 0) || parent == 0) {
        return Optional.empty();
      }
      return Optional.of(new TraceContext(high, low, parent, Optional.of((flags & 1) != 0)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** This context as a caller would send it in {@code l5d-ctx-trace}: its span, without a parent. */
  public String l5dCtxTrace() {
    return l5d(traceIdHigh, traceId, spanId, 0, sampled.orElse(false));
  }

  /** {@code l5d-ctx-trace} for span {@code spanId} (child of {@code parentId}) of trace ids {@code high, low}. */
  static String l5d(long high, long low, long spanId, long parentId, boolean sampled) {
    byte[] b = new byte[high != 0 ? 40 : 32];
    putLong(b, 0, spanId);
    putLong(b, 8, parentId);
    putLong(b, 16, low);
    putLong(b, 24, SAMPLING_KNOWN | (sampled ? SAMPLED : 0));
    if (high != 0) {
      putLong(b, 32, high);
    }
    return Base64.getEncoder().encodeToString(b);
  }

  /** {@code traceparent} naming span {@code spanId} of trace {@code high, low} as the parent. */
  static String traceparent(long high, long low, long spanId, boolean sampled) {
    return "00-" + hex(high) + hex(low) + "-" + hex(spanId) + (sampled ? "-01" : "-00");
  }

  /** 16 lower-case hex digits. */
  static String hex(long v) {
    String h = Long.toHexString(v);
    return "0000000000000000".substring(h.length()) + h;
  }

  private static long longAt(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      b[at + i] = (byte) v;
      v >>>= 8;
    }
  }
}
