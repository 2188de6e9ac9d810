package dev.turnout.web.rollout;

import java.util.ArrayList;
import java.util.List;

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
   * The canary's (and the stable's) figures gathered in the current step's window: counts summed
   * over the samples taken, the highest p99 seen (-1: none yet).
   */
  public record Window(long requests, long failures, double p99Ms, double stableP99Ms, long lastSampleMillis) {
    static final Window EMPTY = new Window(0, 0, -1, -1, 0);

    public Window {
      if (requests < 0 || failures < 0 || failures > requests) {
        throw new IllegalArgumentException("a window's counts must satisfy 0 <= failures <= requests");
      }
    }

    double successRate() {
      return requests == 0 ? Double.NaN : 1.0 - (double) failures / requests;
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
      return new StepRecord(step, weight, version, stale, verdict, window);
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
