package dev.turnout.web.rollout;

import dev.turnout.dtab.Path;
import dev.turnout.dtab.Prefix;
import java.util.List;

/**
 * What a person asks for when starting a rollout: move the traffic of the dentry whose prefix is
 * {@code service} to {@code canary} in rising percents ending at 100, observing each step for {@code
 * stepSeconds}, judging the canary's own destination against the guardrails. Every field is checked
 * here, so a spec that exists is one the driver can run; a bad one is refused before anything is
 * written.
 *
 * @param maxP99Ratio the canary's p99 may be at most this many times the stable's in the same window;
 *     0 leaves the relative check off
 * @param gateBefore a step percent before which the rollout waits for a person (pause until resumed
 *     or promoted); 0 for none
 */
public record RolloutSpec(
    String service,
    String canary,
    List<Integer> steps,
    int stepSeconds,
    double minSuccessRate,
    double maxP99Ms,
    double maxP99Ratio,
    long minRequests,
    int gateBefore) {

  public static final int MAX_STEPS = 20;
  public static final int MAX_STEP_SECONDS = 24 * 3600;

  public RolloutSpec {
    if (service == null || service.isBlank()) {
      throw new IllegalArgumentException("service is required, a dentry prefix such as /svc/users");
    }
    try {
      service = Prefix.read(service).show();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("service '" + service + "' is not a dentry prefix: " + e.getMessage());
    }
    if (canary == null || canary.isBlank()) {
      throw new IllegalArgumentException("canary is required, a path such as /#/io.l5d.fs/users-v2");
    }
    try {
      canary = Path.read(canary).show();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("canary '" + canary + "' is not a path: " + e.getMessage());
    }
    if (steps == null || steps.isEmpty() || steps.size() > MAX_STEPS) {
      throw new IllegalArgumentException("steps must be 1 to " + MAX_STEPS + " rising percents ending at 100");
    }
    steps = List.copyOf(steps);
    int last = 0;
    for (Integer s : steps) {
      if (s == null || s <= last || s > 100) {
        throw new IllegalArgumentException("steps must be rising percents from 1 to 100, not " + steps);
      }
      last = s;
    }
    if (last != 100) {
      throw new IllegalArgumentException("the last step must be 100, not " + last);
    }
    if (stepSeconds < 1 || stepSeconds > MAX_STEP_SECONDS) {
      throw new IllegalArgumentException("stepSeconds must be 1 to " + MAX_STEP_SECONDS + ", not " + stepSeconds);
    }
    if (!(minSuccessRate >= 0 && minSuccessRate <= 1)) {
      throw new IllegalArgumentException("minSuccessRate must be between 0 and 1, not " + minSuccessRate);
    }
    if (!(maxP99Ms > 0 && maxP99Ms <= 3_600_000)) {
      throw new IllegalArgumentException("maxP99Ms must be above 0 and at most 3600000, not " + maxP99Ms);
    }
    if (!(maxP99Ratio == 0 || (maxP99Ratio >= 1 && maxP99Ratio <= 100))) {
      throw new IllegalArgumentException("maxP99Ratio must be 0 (off) or 1 to 100, not " + maxP99Ratio);
    }
    if (minRequests < 1 || minRequests > 1_000_000_000L) {
      throw new IllegalArgumentException("minRequests must be 1 to 1000000000, not " + minRequests);
    }
    if (gateBefore != 0 && !steps.contains(gateBefore)) {
      throw new IllegalArgumentException("gateBefore must be 0 or one of the steps " + steps + ", not " + gateBefore);
    }
  }

  /** The step's number as people count, from 1. */
  int indexOf(int percent) {
    return steps.indexOf(percent);
  }
}
