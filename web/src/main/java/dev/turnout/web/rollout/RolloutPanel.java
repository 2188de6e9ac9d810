package dev.turnout.web.rollout;

import dev.turnout.web.auth.SignedIn;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the rollout panel shows of one rollout: where it stands, each planned step with its verdict, the
 * canary's and the stable's live figures against the guardrails, and the two guardrail charts. Built
 * from the stored rollout and the fleet's figures of this moment; the panel polls for a new one while
 * the rollout is active.
 */
public record RolloutPanel(
    Rollout rollout, SignedIn who, List<StepRow> steps, List<LiveRow> live, GuardrailChart success,
    GuardrailChart latency) {

  public RolloutPanel {
    steps = List.copyOf(steps);
    live = List.copyOf(live);
  }

  public boolean active() {
    return rollout.state().active();
  }

  public boolean running() {
    return rollout.state() == Rollout.State.RUNNING;
  }

  public boolean paused() {
    return rollout.state() == Rollout.State.PAUSED;
  }

  /** The buttons an operator gets: pause or resume, then promote and abort. */
  public List<String> actions() {
    return List.of(running() ? "pause" : "resume", "promote", "abort");
  }

  public static String label(String action) {
    return switch (action) {
      case "pause" -> "Pause";
      case "resume" -> "Resume";
      case "promote" -> "Promote to 100% now";
      default -> "Abort and restore the stable";
    };
  }

  /** The question asked before an action that moves traffic at once; none for pause and resume. */
  public static String confirm(String action, Rollout r) {
    return switch (action) {
      case "promote" -> "Send all of " + r.spec().service() + " to " + r.spec().canary() + " now?";
      case "abort" -> "Abort rollout " + r.id() + " and send all of " + r.spec().service() + " back to " + r.stable()
          + "?";
      default -> null;
    };
  }

  public static String percent(double fraction) {
    return GuardrailChart.fmt(fraction * 100) + "%";
  }

  public static String millis(double ms) {
    return GuardrailChart.fmt(ms) + " ms";
  }

  /** A planned step: its number, percent, and what became of it ({@code status} is a CSS word too). */
  public record StepRow(int number, int percent, String version, String status, String verdict, String figures,
      String stale) {}

  /** A destination's figures now (the fleet's recent window) and whether each meets its guardrail. */
  public record LiveRow(String role, String destination, String requests, String success, boolean successOk,
      String p99, boolean p99Ok) {}

  static RolloutPanel of(Rollout r, SignedIn who, Figures figures) {
    RolloutSpec spec = r.spec();
    List<StepRow> rows = new ArrayList<>();
    List<GuardrailChart.Point> success = new ArrayList<>();
    List<GuardrailChart.Point> latency = new ArrayList<>();
    for (int i = 0; i < spec.steps().size(); i++) {
      int percent = spec.steps().get(i);
      Optional<Rollout.StepRecord> done = recordOf(r, i);
      if (done.isEmpty()) {
        rows.add(new StepRow(i + 1, percent, "", "planned", "not yet", "", ""));
        success.add(new GuardrailChart.Point(percent + "%", Double.NaN, Double.NaN));
        latency.add(new GuardrailChart.Point(percent + "%", Double.NaN, Double.NaN));
        continue;
      }
      Rollout.StepRecord s = done.get();
      boolean pending = "pending".equals(s.verdict()) || s.verdict().isEmpty();
      boolean current = pending && i == r.step() && r.state().active();
      // The step being observed has its figures in the rollout's window, not yet in its record.
      Rollout.Window w = current ? r.window() : s.window();
      String status = "passed".equals(s.verdict()) ? "passed" : current ? "current" : pending ? "pending" : "failed";
      String verdict = current ? (r.phase().isEmpty() ? "in progress" : r.phase()) : pending ? "pending" : s.verdict();
      rows.add(new StepRow(i + 1, percent, "v" + s.version(), status, verdict, window(w),
          String.join(", ", s.stale())));
      success.add(new GuardrailChart.Point(percent + "%", w.requests() == 0 ? Double.NaN : w.successRate(),
          Double.NaN));
      latency.add(new GuardrailChart.Point(percent + "%", w.p99Ms() < 0 ? Double.NaN : w.p99Ms(),
          w.stableP99Ms() < 0 ? Double.NaN : w.stableP99Ms()));
    }
    List<LiveRow> live = List.of(
        live("canary", spec.canary(), figures.of(r.namespace(), spec.service(), spec.canary()), spec),
        live("stable", r.stable(), figures.of(r.namespace(), spec.service(), r.stable()), spec));
    return new RolloutPanel(r, who, rows, live, GuardrailChart.successRate(success, spec.minSuccessRate()),
        GuardrailChart.p99(latency, spec.maxP99Ms()));
  }

  /** The step's record (numbered from 1); the latest when a resume committed the step again. */
  private static Optional<Rollout.StepRecord> recordOf(Rollout r, int index) {
    Rollout.StepRecord last = null;
    for (Rollout.StepRecord s : r.steps()) {
      if (s.step() == index + 1) {
        last = s;
      }
    }
    return Optional.ofNullable(last);
  }

  private static String window(Rollout.Window w) {
    if (w == null || w.requests() == 0) {
      return "no requests yet";
    }
    return w.requests() + " requests, " + GuardrailChart.fmt(w.successRate() * 100) + "% ok"
        + (w.p99Ms() < 0 ? "" : ", p99 " + GuardrailChart.fmt(w.p99Ms()) + " ms");
  }

  private static LiveRow live(String role, String destination, Optional<Figures.Sample> sample, RolloutSpec spec) {
    if (sample.isEmpty() || sample.get().requests() == 0) {
      return new LiveRow(role, destination, "0", "–", true, "–", true);
    }
    Figures.Sample s = sample.get();
    double p99 = s.p99Millis();
    boolean successOk = Double.isNaN(s.successRate()) || s.successRate() >= spec.minSuccessRate();
    boolean p99Ok = Double.isNaN(p99) || p99 <= spec.maxP99Ms();
    return new LiveRow(role, destination, Long.toString(s.requests()),
        Double.isNaN(s.successRate()) ? "–" : GuardrailChart.fmt(s.successRate() * 100) + "%", successOk,
        Double.isNaN(p99) ? "–" : GuardrailChart.fmt(p99) + " ms", p99Ok);
  }
}
