package dev.turnout.config;

/**
 * The HTTP/2 settings an h2 router's client announces to its backends, under the keys Linkerd 1's h2
 * {@code client:} block takes ({@code H2EndpointConfig}): what the backend may send on each upstream
 * connection. Linkerd left them to Netty's defaults, which are RFC 9113's but for an unlimited header
 * list; Turnout bounds that to what an h2 router server accepts from its callers.
 *
 * @param initialStreamWindowBytes each upstream stream's initial receive window (RFC 9113 section 6.9.2)
 * @param maxFrameBytes the largest frame payload the backend may send (16384 to 16777215)
 * @param maxHeaderListBytes the largest header list, uncompressed, the backend may send
 * @param headerTableBytes the HPACK dynamic table kept for the backend's headers
 * @param windowUpdateRatio Linkerd's share of a window used before it is refilled; read and checked, but
 *     Undertow's client always refills at half (0.5, Netty's default too)
 */
public record H2ClientSettings(
    int initialStreamWindowBytes,
    int maxFrameBytes,
    int maxHeaderListBytes,
    int headerTableBytes,
    double windowUpdateRatio) {

  /** The ratio Undertow's client refills windows at, whatever is configured. */
  public static final double APPLIED_WINDOW_UPDATE_RATIO = 0.5;

  /** RFC 9113's initial window, frame and table sizes; the header list of an h2 router server; a ratio of half. */
  public static final H2ClientSettings DEFAULT =
      new H2ClientSettings(65_535, 16_384, H2Settings.DEFAULT_MAX_HEADER_LIST_BYTES, 4096, APPLIED_WINDOW_UPDATE_RATIO);

  public H2ClientSettings {
    if (initialStreamWindowBytes < 1) {
      throw new IllegalArgumentException("initialStreamWindowBytes must be 1 to 2147483647 (RFC 9113 section 6.9.2)");
    }
    if (maxFrameBytes < 16_384 || maxFrameBytes > 16_777_215) {
      throw new IllegalArgumentException("maxFrameBytes must be 16384 to 16777215 (RFC 9113 section 6.5.2), not " + maxFrameBytes);
    }
    if (maxHeaderListBytes < 1) {
      throw new IllegalArgumentException("maxHeaderListBytes must be at least 1");
    }
    if (headerTableBytes < 0) {
      throw new IllegalArgumentException("headerTableBytes must be 0 or more");
    }
    if (!(windowUpdateRatio > 0 && windowUpdateRatio < 1)) {
      throw new IllegalArgumentException("windowUpdateRatio must be between 0 and 1 (exclusive), as Netty's, not " + windowUpdateRatio);
    }
  }
}
