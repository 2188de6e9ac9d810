package dev.turnout.config;

/**
 * The HTTP/2 settings an h2 router server announces to its callers, under Linkerd 1's {@code
 * H2ServerConfig} keys. Linkerd bounds concurrent streams at 1000 by default; for the others it kept
 * Netty's defaults, and where those were unlimited ({@code maxHeaderListBytes}) Turnout bounds them to
 * what an HTTP/1.1 router server accepts ({@link #DEFAULT_MAX_HEADER_LIST_BYTES}).
 *
 * @param maxConcurrentStreamsPerConnection streams a caller may have open at once on one connection
 * @param initialStreamWindowBytes each stream's initial flow-control window (RFC 9113 section 6.9.2)
 * @param maxFrameBytes the largest frame payload this server will read (16384 to 16777215)
 * @param maxHeaderListBytes the largest header list, uncompressed, this server will read
 * @param headerTableBytes the HPACK dynamic table this server keeps for the caller's headers
 */
public record H2Settings(
    int maxConcurrentStreamsPerConnection,
    int initialStreamWindowBytes,
    int maxFrameBytes,
    int maxHeaderListBytes,
    int headerTableBytes) {

  public static final int DEFAULT_MAX_HEADER_LIST_BYTES = 32 * 1024;

  /** Linkerd's default streams, RFC 9113's initial window, frame and table sizes, a bounded header list. */
  public static final H2Settings DEFAULT = new H2Settings(1000, 65_535, 16_384, DEFAULT_MAX_HEADER_LIST_BYTES, 4096);

  public H2Settings {
    if (maxConcurrentStreamsPerConnection < 1) {
      throw new IllegalArgumentException("maxConcurrentStreamsPerConnection must be at least 1");
    }
    if (initialStreamWindowBytes < 1) {
      throw new IllegalArgumentException("initialStreamWindowBytes must be 1 to 2147483647");
    }
    if (maxFrameBytes < 16_384 || maxFrameBytes > 16_777_215) {
      throw new IllegalArgumentException("maxFrameBytes must be 16384 to 16777215 (RFC 9113 section 6.5.2)");
    }
    if (maxHeaderListBytes < 1) {
      throw new IllegalArgumentException("maxHeaderListBytes must be at least 1");
    }
    if (headerTableBytes < 0) {
      throw new IllegalArgumentException("headerTableBytes must be 0 or more");
    }
  }
}
