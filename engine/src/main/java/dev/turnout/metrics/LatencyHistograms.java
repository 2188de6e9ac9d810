package dev.turnout.metrics;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.DataFormatException;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

/**
 * Latencies as they travel between processes: an HdrHistogram of microseconds in its compressed
 * encoding, as base64. Percentiles of several processes cannot be combined, but their histograms can:
 * the merge of every member's is the fleet's traffic, and its percentiles are the fleet's.
 */
public final class LatencyHistograms {
  /** Decoded histograms kept, so one member's report is inflated once however often it is viewed. */
  private static final int DECODED_KEPT = 20_000;

  private static final Map<String, Histogram> decoded =
      Collections.synchronizedMap(
          new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Histogram> eldest) {
              return size() > DECODED_KEPT;
            }
          });

  private LatencyHistograms() {}

  /** {@code h} (microseconds) as compressed base64. */
  public static String encode(AbstractHistogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), length));
  }

  /**
   * The histogram {@code encoded} holds; the same instance for the same text while it is kept, so
   * callers must not change it.
   *
   * @throws IllegalArgumentException for text that is not one
   */
  public static Histogram decode(String encoded) {
    Histogram h = decoded.get(encoded);
    if (h != null) {
      return h;
    }
    try {
      h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
    } catch (DataFormatException | RuntimeException e) {
      throw new IllegalArgumentException("not a compressed HdrHistogram in base64: " + e.getMessage(), e);
    }
    decoded.put(encoded, h);
    return h;
  }

  /** A histogram to merge others into: packed, as a merge of few members uses few buckets. */
  public static Histogram empty() {
    return new PackedHistogram(2);
  }

  /** The value at {@code percentile} in milliseconds; NaN for an empty histogram. */
  public static double millisAt(AbstractHistogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** {@code encoded} decoded, or empty for null or text that is not a histogram. */
  public static Optional<Histogram> tryDecode(String encoded) {
    if (encoded == null || encoded.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(decode(encoded));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
