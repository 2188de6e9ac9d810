package dev.turnout.web.rollout;

import dev.turnout.metrics.LatencyHistograms;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * A rollout as the driver keeps it in the store: the spec, the stable destination it started from
 * (the dentry's destination before the rollout), where it stands, and the record of each step. It is
 * the JSON stored in {@code rollout.detail}; "changing" one returns a new one ({@link #next}).
 *
 * @param step index into {@code spec.steps()} of the step committed last; -1 before the first
 * @param weight the canary's percent in the dtab now
 * @param phase what a running rollout waits for: {@code converging} (the fleet to route by the step's
 *     version), {@code observing} (the step's window to fill)
 * @param phaseSinceMillis when that phase began (the driver's clock)
 * @param knownVersion the namespace's version this rollout last accounted for; a newer one by someone
 *     else is a person's commit
 * @param gatePassed the manual gate, if any, has been let through
 */
public record Rollout(
    long id,
    String namespace,
    RolloutSpec spec,
    String stable,
    State state,
    int step,
    int weight,
    String reason,
    List<Long> versions,
    List<StepRecord> steps,
    String phase,
    long phaseSinceMillis,
    long knownVersion,
    Window window,
    boolean gatePassed,
    long createdMillis) {

  public Rollout {
    if (spec == null || stable == null || state == null || namespace == null) {
      throw new IllegalArgumentException("a rollout needs its namespace, spec, stable and state");
    }
    reason = reason == null ? "" : reason;
    versions = List.copyOf(versions);
    steps = List.copyOf(steps);
    window = window == null ? Window.EMPTY : window;
    phase = phase == null ? "" : phase;
  }

  /** The rollout's lifecycle; the API and the store write each as {@link #word()}. */
  public enum State {
    RUNNING("running"),
    PAUSED("paused"),
    SUCCEEDED("succeeded"),
    ROLLED_BACK("rolled-back"),
    ABORTED("aborted");

    private final String word;

    State(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }

    public boolean active() {
      return this == RUNNING || this == PAUSED;
    }

    public static State of(String word) {
      for (State s : values()) {
        if (s.word.equals(word)) {
          return s;
        }
      }
      throw new IllegalArgumentException("no rollout state '" + word + "'");
    }
  }

  /**
   * The canary's (and the stable's) figures gathered in the current step's window, the sum of the
   * 10-second {@link Figures.Sample}s taken in it: counts add up, the latency histograms merge, so
   * {@code p99Ms} is the p99 of every request to the canary in the window, fleet-wide (-1: none timed).
   *
   * @param stableRequests requests to the stable in the window, what the canary's share is judged by
   *     when the canary gets (almost) none
   * @param ejectedAll the number of the canary's endpoints when a sample last found every one of them
   *     ejected by failure accrual; 0 if none did
   * @param latency the canary's merged latencies ({@code LatencyHistograms} text), null with none;
   *     kept only while the step is observed, not in its record
   * @param p99BoundMs the highest p99 of members that sent no histogram, -1 if none (an upper bound)
   */
  public record Window(long requests, long failures, double p99Ms, double stableP99Ms, long lastSampleMillis,
      long stableRequests, int ejectedAll, String latency, String stableLatency, double p99BoundMs,
      double stableP99BoundMs) {
    static final Window EMPTY = new Window(0, 0, -1, -1, 0, 0, 0, null, null, -1, -1);

    public Window {
      if (requests < 0 || failures < 0 || failures > requests || stableRequests < 0 || ejectedAll < 0) {
        throw new IllegalArgumentException("a window's counts must satisfy 0 <= failures <= requests");
      }
    }

    /** A window with nothing in it yet, its samples to start at {@code at}. */
    static Window startingAt(long at) {
      return new Window(0, 0, -1, -1, at, 0, 0, null, null, -1, -1);
    }

    double successRate() {
      return requests == 0 ? Double.NaN : 1.0 - (double) failures / requests;
    }

    /** This window with one more sample of the canary's and the stable's figures, taken at {@code at}. */
    Window plus(Optional<Figures.Sample> canary, Optional<Figures.Sample> stable, long at) {
      Histogram c = merged(latency, canary);
      Histogram s = merged(stableLatency, stable);
      double cBound = Math.max(p99BoundMs, canary.map(Figures.Sample::p99BoundMillis).orElse(-1.0));
      double sBound = Math.max(stableP99BoundMs, stable.map(Figures.Sample::p99BoundMillis).orElse(-1.0));
      int ejected = canary.filter(Figures.Sample::noLiveEndpoint).map(Figures.Sample::endpoints).orElse(ejectedAll);
      return new Window(
          requests + canary.map(Figures.Sample::requests).orElse(0L),
          failures + canary.map(Figures.Sample::failures).orElse(0L),
          p99(c, cBound),
          p99(s, sBound),
          at,
          stableRequests + stable.map(Figures.Sample::requests).orElse(0L),
          ejected,
          c.getTotalCount() == 0 ? null : LatencyHistograms.encode(c),
          s.getTotalCount() == 0 ? null : LatencyHistograms.encode(s),
          cBound,
          sBound);
    }

    /** The figures without the histograms, as a step's record keeps them. */
    Window withoutLatencies() {
      return new Window(requests, failures, p99Ms, stableP99Ms, lastSampleMillis, stableRequests, ejectedAll, null,
          null, p99BoundMs, stableP99BoundMs);
    }

    private static Histogram merged(String kept, Optional<Figures.Sample> sample) {
      Histogram h = LatencyHistograms.empty();
      LatencyHistograms.tryDecode(kept).ifPresent(h::add);
      sample.ifPresent(x -> h.add(x.latency()));
      return h;
    }

    private static double p99(Histogram h, double bound) {
      double merged = LatencyHistograms.millisAt(h, 99);
      return Double.isNaN(merged) ? bound : Math.max(merged, bound);
    }
  }

  /**
   * One committed step: its percent, the version that carries it, the stale members that did not
   * block convergence, and its verdict ({@code pending}, {@code passed}, or why it failed or paused).
   */
  public record StepRecord(int step, int weight, long version, List<String> stale, String verdict, Window window) {
    public StepRecord {
      stale = List.copyOf(stale);
      verdict = verdict == null ? "" : verdict;
    }

    StepRecord judged(String verdict, Window window) {
      return new StepRecord(step, weight, version, stale, verdict, window.withoutLatencies());
    }

    StepRecord withStale(List<String> stale) {
      return new StepRecord(step, weight, version, stale, verdict, window);
    }
  }

  /** A copy to change; {@link Next#done()} makes the new rollout. */
  Next next() {
    return new Next(this);
  }

  /** The fields of a rollout being changed by the driver, as one unit. */
  static final class Next {
    private final Rollout from;
    State state;
    int step;
    int weight;
    String reason;
    List<Long> versions;
    List<StepRecord> steps;
    String phase;
    long phaseSinceMillis;
    long knownVersion;
    Window window;
    boolean gatePassed;

    private Next(Rollout r) {
      from = r;
      state = r.state;
      step = r.step;
      weight = r.weight;
      reason = r.reason;
      versions = new ArrayList<>(r.versions);
      steps = new ArrayList<>(r.steps);
      phase = r.phase;
      phaseSinceMillis = r.phaseSinceMillis;
      knownVersion = r.knownVersion;
      window = r.window;
      gatePassed = r.gatePassed;
    }

    Rollout done() {
      return new Rollout(from.id, from.namespace, from.spec, from.stable, state, step, weight, reason, versions, steps,
          phase, phaseSinceMillis, knownVersion, window, gatePassed, from.createdMillis);
    }
  }
}
