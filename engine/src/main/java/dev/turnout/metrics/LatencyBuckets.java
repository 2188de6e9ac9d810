package dev.turnout.metrics;

import java.util.Arrays;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * One stats node's latencies as a Prometheus histogram: how many requests took at most each of {@link
 * #BOUNDS_MS} since start, their sum, and the longest of the last {@link #MAX_SECONDS} seconds. It is
 * filled once a second from the one-second HdrHistogram interval the node closes anyway, so a request
 * pays nothing for it beyond what it already records (a per-request Micrometer summary cost about 55 ns).
 *
 * <p>A latency is counted under the least bound at or above the lowest value of its HdrHistogram bucket.
 * The histogram keeps two significant digits, so a latency within 1% above a bound (1.003 ms against
 * {@code le="1.0"}) may be counted under that bound; every other latency is counted where a per-request
 * summary counted it. Not thread-safe: its {@link TrafficStats} guards it.
 */
final class LatencyBuckets {
  /** The bounds, in milliseconds (Prometheus adds +Inf). */
  static final double[] BOUNDS_MS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};

  /** The bounds with +Inf, as the exposition takes them. */
  static final double[] BOUNDS_WITH_INF = withInf();

  /** How far back {@code _max} looks, as Micrometer's summaries did (their max decayed over two minutes). */
  static final int MAX_SECONDS = 120;

  private static final long[] BOUNDS_MICROS = new long[BOUNDS_MS.length];

  static {
    for (int i = 0; i < BOUNDS_MS.length; i++) {
      BOUNDS_MICROS[i] = Math.round(BOUNDS_MS[i] * 1000);
    }
  }

  /** Requests per bucket, not cumulative; the last is above every bound. */
  private final long[] counts = new long[BOUNDS_MS.length + 1];

  private final long[] maxPerSecond = new long[MAX_SECONDS];
  private int maxNext;
  private long sumMicros;

  /** The figures as a scrape shows them; {@code counts} per bucket, not cumulative, +Inf last. */
  record Snapshot(long[] counts, double sumMillis, double maxMillis) {}

  /**
   * Adds one closed second: its latencies in microseconds, and the exact sum (since start) and greatest
   * latency (of that second) that the request path kept beside them.
   */
  void add(AbstractHistogram second, long sumMicrosSinceStart, long maxMicrosOfSecond) {
    if (second.getTotalCount() > 0) {
      for (HistogramIterationValue v : second.recordedValues()) {
        long lowest = second.lowestEquivalentValue(v.getValueIteratedTo());
        counts[bucket(lowest)] += v.getCountAddedInThisIterationStep();
      }
    }
    sumMicros = sumMicrosSinceStart;
    maxPerSecond[maxNext] = maxMicrosOfSecond;
    maxNext = (maxNext + 1) % MAX_SECONDS;
  }

  Snapshot snapshot() {
    long max = 0;
    for (long m : maxPerSecond) {
      max = Math.max(max, m);
    }
    return new Snapshot(counts.clone(), sumMicros / 1000.0, max / 1000.0);
  }

  private static int bucket(long micros) {
    for (int i = 0; i < BOUNDS_MICROS.length; i++) {
      if (micros <= BOUNDS_MICROS[i]) {
        return i;
      }
    }
    return BOUNDS_MICROS.length;
  }

  private static double[] withInf() {
    double[] out = Arrays.copyOf(BOUNDS_MS, BOUNDS_MS.length + 1);
    out[BOUNDS_MS.length] = Double.POSITIVE_INFINITY;
    return out;
  }
}
