package dev.turnout.store;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Optional;

/**
 * The ETag of a version, as namerd's in-memory store writes it: the version number as an 8-byte
 * big-endian long, base64-encoded, so version 1 is {@code AAAAAAAAAAE=}. Clients treat it as opaque.
 */
public final class ETags {
  private ETags() {}

  public static String of(long version) {
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(Long.BYTES).putLong(version).array());
  }

  /**
   * The version an ETag names, or empty when it is not one of ours. Surrounding quotes and a weak
   * prefix ({@code W/"..."}) are accepted, since some HTTP clients add them to {@code If-Match}.
   */
  public static Optional<Long> version(String etag) {
    if (etag == null) {
      return Optional.empty();
    }
    String s = etag.strip();
    if (s.startsWith("W/")) {
      s = s.substring(2);
    }
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      s = s.substring(1, s.length() - 1);
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(s);
      if (bytes.length != Long.BYTES) {
        return Optional.empty();
      }
      long version = ByteBuffer.wrap(bytes).getLong();
      return version > 0 && of(version).equals(s) ? Optional.of(version) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
