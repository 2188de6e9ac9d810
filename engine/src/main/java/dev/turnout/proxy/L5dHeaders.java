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
  /**
   * This process's {@code Via} entry: a pseudonym with a random part, so a request that comes back to
   * this same proxy is known at its first repeated hop, while other Turnouts on its path are not
   * mistaken for this one.
   */
  static final String VIA_VALUE =
      "1.1 turnout-" + Long.toHexString(new java.security.SecureRandom().nextLong() >>> 16);

  private L5dHeaders() {}
}
