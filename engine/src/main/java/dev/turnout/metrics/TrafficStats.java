package dev.turnout.metrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntervalHistogramProvider;
import org.HdrHistogram.PackedHistogram;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SingleWriterRecorder;
import org.HdrHistogram.ValueRecorder;

/**
 * The figures of one thing that takes requests (a service, a client, an endpoint): counters, requests in
 * flight, request and success rates over sliding windows, and latency percentiles. Writers never lock,
 * and each writes the copy of its {@link Stripe}: the per-request counters are {@link StripedCounts},
 * the windows a {@link RollingCounter}, and latencies go to an HdrHistogram recorder per stripe, a
 * {@link SingleWriterRecorder} (one phaser, plain histogram increments) on a stripe an IO thread owns, a
 * wait-free concurrent {@link Recorder} on a shared one. The proxy reads its stripe and the clock once
 * per request event and hands them to every scope the event updates ({@link #start(int)}, {@link
 * #finish(int, long, boolean, String, long)}, {@link #status(int, int)}). Every second {@link
 * #tick(Instant, boolean)} closes a one-second latency interval; the percentiles of the last ten such
 * intervals are worked out when someone reads them (at most once per tick), so the figures are at most a
 * second old and a proxy nobody watches does not pay for them. Every tenth tick also appends a {@link TrafficView.Sample} to a
 * 10-minute history. The ten one-second intervals are kept as packed histograms, which hold only the
 * buckets a second actually used; merging ten of them is the costly part (it was a tenth of the
 * process's CPU under load when done on every tick). The same closed second also fills the node's
 * Prometheus histogram ({@link LatencyBuckets}), so {@code /metrics} costs the request path only an
 * exact running sum and a maximum.
 */
public final class TrafficStats {
  static final int HISTORY = 60;
  /** One-second latency intervals the percentiles cover. */
  static final int LATENCY_SECONDS = 10;
  private static final int REQUESTS = 0;
  private static final int SUCCESSES = 1;

  private final LongSupplier nanos;
  /** In flight, successes, failures, retries, the latency sum, and the first status codes. */
  private final StripedCounts counts = new StripedCounts();
  private final Map<String, LongAdder> failuresByClass = new ConcurrentHashMap<>();
  private final StatusCounts statuses = new StatusCounts(counts);
  private final RollingCounter window;
  /**
   * One per {@link Stripe}, made when a thread of that stripe first records: a recorder's writers share
   * its phaser and counts, so each IO thread gets its own, and stripes no thread uses cost nothing. Each
   * is also an {@code IntervalHistogramProvider<Histogram>} (see {@link #newRecorder}).
   */
  private final AtomicReferenceArray<ValueRecorder> recorders = new AtomicReferenceArray<>(Stripe.COUNT);
  private final Histogram[] intervals = new Histogram[Stripe.COUNT];
  private final Histogram[] lastSeconds = new Histogram[LATENCY_SECONDS];
  private int lastSecondsNext;
  private final Histogram lastTenSeconds = new PackedHistogram(2);
  private Percentiles last = Percentiles.NONE;
  private Summary lastSummary = Summary.NONE;
  /** {@link #lastTenSeconds} encoded, when asked for since it was worked out. Guarded by this. */
  private String lastEncoded;
  /** A tick closed an interval since {@link #last} was worked out. Guarded by this. */
  private boolean stale;
  private final TrafficView.Sample[] history = new TrafficView.Sample[HISTORY];
  private int historyNext;
  private int historySize;
  private final FailureClassListener onNewClass;
  /** The longest latency in microseconds since the last tick; read and cleared by the tick. */
  private final AtomicLong latencyMaxMicros = new AtomicLong();
  /** Guarded by this. */
  private final LatencyBuckets buckets = new LatencyBuckets();

  /** Latency percentiles in milliseconds over the last ten closed one-second intervals. */
  public record Percentiles(double p50, double p90, double p99, double p999) {
    static final Percentiles NONE = new Percentiles(0, 0, 0, 0);
  }

  /**
   * The same latencies as {@link Percentiles}, summed up as a Linkerd 1 stat is: how many, their sum,
   * least and greatest, and the percentiles Linkerd reports, all in milliseconds. HdrHistogram keeps
   * two significant digits, so {@code sumMillis} is the count times the histogram's mean, not an exact
   * sum. Like Linkerd's (over its snapshot interval), the figures cover a window, not all time.
   */
  record Summary(
      long count,
      double sumMillis,
      double minMillis,
      double maxMillis,
      double p50,
      double p90,
      double p95,
      double p99,
      double p999,
      double p9999) {
    static final Summary NONE = new Summary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  interface FailureClassListener {
    void added(String failureClass, LongAdder counter);
  }

  /**
   * The {@link ProxyMetrics} node these are the figures of (its service or client node), or null: a
   * request that holds these figures finds the node's own figures below it (a service's per-client
   * figures, a client's endpoints) without looking the node up again by name.
   */
  final Object node;

  TrafficStats(LongSupplier nanos, FailureClassListener onNewClass) {
    this(nanos, onNewClass, null);
  }

  TrafficStats(LongSupplier nanos, FailureClassListener onNewClass, Object node) {
    this.node = node;
    this.nanos = nanos;
    this.window = new RollingCounter(60, 2, nanos);
    this.onNewClass = onNewClass;
  }

  private ValueRecorder recorder(int stripe) {
    ValueRecorder r = recorders.get(stripe);
    if (r == null) {
      recorders.compareAndSet(stripe, null, newRecorder(stripe));
      r = recorders.get(stripe);
    }
    return r;
  }

  /** A single writer's recorder for an owned stripe, a concurrent one for a shared stripe. */
  private static ValueRecorder newRecorder(int stripe) {
    long highest = TimeUnit.HOURS.toMicros(1);
    return Stripe.owned(stripe) ? new SingleWriterRecorder(highest, 2) : new Recorder(highest, 2);
  }

  @SuppressWarnings("unchecked")
  private static IntervalHistogramProvider<Histogram> intervalsOf(ValueRecorder r) {
    return (IntervalHistogramProvider<Histogram>) r;
  }

  /** A request started, counted in the calling thread's stripe. */
  public void start() {
    start(Stripe.index());
  }

  /** A request started; {@code stripe} is the calling thread's {@link Stripe#index()}. */
  public void start(int stripe) {
    assert Stripe.mine(stripe) : "stripe " + stripe + " is owned by another thread";
    counts.add(stripe, StripedCounts.IN_FLIGHT, 1);
  }

  /** A request finished: success or failure of {@code failureClass}, and its latency. */
  public void finish(boolean success, String failureClass, long latencyNanos) {
    finish(Stripe.index(), nanos.getAsLong(), success, failureClass, latencyNanos);
  }

  /**
   * As {@link #finish(boolean, String, long)}, in {@code stripe}, the calling thread's {@link
   * Stripe#index()}, at {@code nowNanos} of the clock this node was made with ({@link ProxyMetrics#nanos()}).
   */
  public void finish(int stripe, long nowNanos, boolean success, String failureClass, long latencyNanos) {
    assert Stripe.mine(stripe) : "stripe " + stripe + " is owned by another thread";
    long micros = Math.max(0, Math.min(TimeUnit.HOURS.toMicros(1), latencyNanos / 1000));
    counts.finish(stripe, success, micros);
    window.increment(stripe, nowNanos, REQUESTS, SUCCESSES, success);
    if (!success) {
      LongAdder byClass = failuresByClass.get(failureClass);
      if (byClass == null) {
        byClass = failuresByClass.computeIfAbsent(failureClass, k -> new LongAdder());
        onNewClass.added(failureClass, byClass);
      }
      byClass.increment();
    }
    recorder(stripe).recordValue(micros);
    // Read first: after the first requests of a second the maximum rarely moves, and a read of a line
    // nobody writes stays in this core's cache.
    if (micros > latencyMaxMicros.get()) {
      latencyMaxMicros.accumulateAndGet(micros, Math::max);
    }
  }

  /** A response with {@code status} was given (to the caller) or taken (from upstream). */
  public void status(int status) {
    statuses.add(Stripe.index(), status);
  }

  /** As {@link #status(int)}, in {@code stripe}, the calling thread's {@link Stripe#index()}. */
  public void status(int stripe, int status) {
    assert Stripe.mine(stripe) : "stripe " + stripe + " is owned by another thread";
    statuses.add(stripe, status);
  }

  StatusCounts statuses() {
    return statuses;
  }

  public void retried() {
    counts.add(Stripe.index(), StripedCounts.RETRIES, 1);
  }

  /** Finished requests: every one is counted once as a success or a failure. */
  public long requests() {
    return counts.sum(StripedCounts.SUCCESSES) + counts.sum(StripedCounts.FAILURES);
  }

  public long successes() {
    return counts.sum(StripedCounts.SUCCESSES);
  }

  public long failures() {
    return counts.sum(StripedCounts.FAILURES);
  }

  public long retries() {
    return counts.sum(StripedCounts.RETRIES);
  }

  public long inFlight() {
    return Math.max(0, counts.sum(StripedCounts.IN_FLIGHT));
  }

  public Map<String, Long> failuresByClass() {
    Map<String, Long> out = new java.util.TreeMap<>();
    failuresByClass.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Requests per second over the last {@code seconds} seconds. */
  public double requestRate(int seconds) {
    return window.sum(REQUESTS, seconds) / (double) seconds;
  }

  /** Share of successful requests over the last {@code seconds} seconds; NaN with none. */
  public double successRate(int seconds) {
    long r = window.sum(REQUESTS, seconds);
    return r == 0 ? Double.NaN : window.sum(SUCCESSES, seconds) / (double) r;
  }

  /** Latency percentiles over the last ten closed one-second intervals. */
  public synchronized Percentiles latency() {
    refresh();
    return last;
  }

  /** The latencies of the last ten closed one-second intervals, summed up as Linkerd 1 reports a stat. */
  synchronized Summary summary() {
    refresh();
    return lastSummary;
  }

  /** Merges the last ten intervals again if a tick closed one since the last read. Guarded by this. */
  private void refresh() {
    if (!stale) {
      return;
    }
    stale = false;
    lastEncoded = null;
    lastTenSeconds.reset();
    for (Histogram h : lastSeconds) {
      if (h != null) {
        lastTenSeconds.add(h);
      }
    }
    long count = lastTenSeconds.getTotalCount();
    if (count == 0) {
      last = Percentiles.NONE;
      lastSummary = Summary.NONE;
      return;
    }
    last = new Percentiles(millisAt(50), millisAt(90), millisAt(99), millisAt(99.9));
    lastSummary =
        new Summary(
            count,
            lastTenSeconds.getMean() * count / 1000.0,
            lastTenSeconds.getMinValue() / 1000.0,
            lastTenSeconds.getMaxValue() / 1000.0,
            last.p50(),
            last.p90(),
            millisAt(95),
            last.p99(),
            last.p999(),
            millisAt(99.99));
  }

  /** The last ten seconds' latencies as {@link LatencyHistograms} text; null with none. */
  synchronized String latencyHistogram() {
    refresh();
    if (lastTenSeconds.getTotalCount() == 0) {
      return null;
    }
    if (lastEncoded == null) {
      lastEncoded = LatencyHistograms.encode(lastTenSeconds);
    }
    return lastEncoded;
  }

  private double millisAt(double percentile) {
    return lastTenSeconds.getValueAtPercentile(percentile) / 1000.0;
  }

  /**
   * Closes the current one-second interval (the percentiles are recomputed on the next read); with
   * {@code sample}, also records a history sample. Called by one thread only.
   */
  synchronized void tick(Instant at, boolean sample) {
    Histogram slot = lastSeconds[lastSecondsNext];
    if (slot == null) {
      slot = new PackedHistogram(2);
      lastSeconds[lastSecondsNext] = slot;
    }
    slot.reset();
    for (int i = 0; i < intervals.length; i++) {
      ValueRecorder r = recorders.get(i);
      if (r != null) {
        intervals[i] = intervalsOf(r).getIntervalHistogram(intervals[i]);
        if (intervals[i].getTotalCount() > 0) {
          slot.add(intervals[i]);
        }
      }
    }
    lastSecondsNext = (lastSecondsNext + 1) % LATENCY_SECONDS;
    buckets.add(slot, counts.sum(StripedCounts.LATENCY_SUM_MICROS), latencyMaxMicros.getAndSet(0));
    stale = true;
    if (sample) {
      Percentiles p = latency();
      history[historyNext] =
          new TrafficView.Sample(at, requestRate(10), successRate(10), p.p50(), p.p99());
      historyNext = (historyNext + 1) % HISTORY;
      historySize = Math.min(HISTORY, historySize + 1);
    }
  }

  /** The Prometheus histogram's figures as of the last tick. */
  synchronized LatencyBuckets.Snapshot latencyBuckets() {
    return buckets.snapshot();
  }

  /** Samples of the last {@code minutes} minutes, oldest first. */
  synchronized List<TrafficView.Sample> history(int minutes) {
    int n = Math.min(historySize, Math.max(0, minutes) * 6);
    List<TrafficView.Sample> out = new ArrayList<>(n);
    for (int i = n; i > 0; i--) {
      out.add(history[Math.floorMod(historyNext - i, HISTORY)]);
    }
    return out;
  }

  /** The dashboard's figures; latencies are NaN until a request has been timed in the last 10 s. */
  TrafficView.Stats view() {
    Percentiles p = latency();
    boolean none = p == Percentiles.NONE;
    return new TrafficView.Stats(
        requestRate(10),
        successRate(10),
        none ? Double.NaN : p.p50(),
        none ? Double.NaN : p.p99(),
        requests(),
        failures(),
        inFlight(),
        latencyHistogram(),
        failuresByClass());
  }
}
