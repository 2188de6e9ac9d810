package dev.turnout.proxy;

import io.undertow.util.HttpString;

/** The Linkerd 1 header names Turnout reads and writes (dtab.md section 4). */
final class L5dHeaders {
  static final HttpString DTAB = new HttpString("l5d-dtab");
  static final HttpString CTX_DTAB = new HttpString("l5d-ctx-dtab");
  static final HttpString DST_SERVICE = new HttpString("l5d-dst-service");
  static final HttpString DST_CLIENT = new HttpString("l5d-dst-client");
  static final HttpString DST_RESIDUAL = new HttpString("l5d-dst-residual");
  static final HttpString REQID = new HttpString("l5d-reqid");
  static final HttpString SUCCESS_CLASS = new HttpString("l5d-success-class");
  static final HttpString RETRYABLE = new HttpString("l5d-retryable");
  static final HttpString VIA = new HttpString("Via");
  private static final java.security.SecureRandom VIA_RANDOM = new java.security.SecureRandom();

  /**
   * A new {@code Via} entry for one router server: a pseudonym with a random part. Each server of each
   * router has its own, so a request that comes back to the same server is known at its first repeated
   * hop, while a request that passes two routers of one process (Linkerd's linker-to-linker shape: an
   * outgoing router sending to the incoming router beside it) is not taken for a loop.
   */
  static String newViaEntry() {
    return "1.1 turnout-" + Long.toHexString(VIA_RANDOM.nextLong() >>> 16);
  }

  /**
   * The {@code Via} value a hop sends on: every entry the caller sent (in all its {@code Via} fields,
   * in order), then {@code entry}.
   */
  static String appendVia(io.undertow.util.HeaderValues incoming, String entry) {
    if (incoming == null || incoming.isEmpty()) {
      return entry;
    }
    StringBuilder b = new StringBuilder();
    for (String v : incoming) {
      if (!v.isBlank()) {
        b.append(v.strip()).append(", ");
      }
    }
    return b.append(entry).toString();
  }

  private L5dHeaders() {}
}
