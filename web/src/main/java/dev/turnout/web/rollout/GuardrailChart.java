package dev.turnout.web.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One guardrail of a rollout drawn as server-side SVG: a bar per planned step with the canary's figure
 * in that step's window (the judged window for a finished step, the window filling now for the current
 * one), a tick for the stable's figure where there is one, and the threshold as a dashed line. A bar
 * is {@code bad} when its figure breaks the guardrail. Coordinates are computed here so the template
 * only places them.
 *
 * <p>Success rate is drawn from a floor below the threshold to 100%, so that 99% and 91% look as far
 * apart as they matter; p99 from 0 to a little above the larger of the threshold and the highest bar.
 */
public record GuardrailChart(
    String title, int width, int height, double thresholdY, String thresholdLabel, String topLabel,
    String bottomLabel, List<Bar> bars) {
  static final int WIDTH = 300;
  static final int HEIGHT = 120;
  static final int TOP = 10;
  static final int BOTTOM = 18;

  public GuardrailChart {
    bars = List.copyOf(bars);
  }

  /** A step's bar: its slot, the canary's bar (height 0 when there is no figure), the stable's tick. */
  public record Bar(String label, double x, double barWidth, double y, double barHeight, String value, boolean bad,
      boolean hasStable, double stableY) {
    public boolean hasValue() {
      return !value.isEmpty();
    }

    /** Where the bar's figure is written: above the bar, or inside it near the top of the scale. */
    public double valueY() {
      return y < TOP + 12 ? y + 11 : y - 3;
    }
  }

  /** A figure of one step; NaN where there is none. */
  record Point(String label, double canary, double stable) {}

  static GuardrailChart successRate(List<Point> points, double minSuccessRate) {
    double threshold = minSuccessRate * 100;
    double floor = Math.max(0, threshold - 10);
    for (Point p : points) {
      if (!Double.isNaN(p.canary())) {
        floor = Math.min(floor, Math.max(0, Math.floor(p.canary() * 100 / 5) * 5 - 5));
      }
    }
    double lo = floor;
    return draw("Canary success rate by step", points, threshold, lo, 100,
        v -> v * 100, v -> v * 100 < threshold, v -> fmt(v * 100) + "%", "min " + fmt(threshold) + "%",
        "100%", fmt(lo) + "%");
  }

  static GuardrailChart p99(List<Point> points, double maxP99Ms) {
    double top = maxP99Ms * 1.25;
    for (Point p : points) {
      if (!Double.isNaN(p.canary())) {
        top = Math.max(top, p.canary() * 1.1);
      }
      if (!Double.isNaN(p.stable())) {
        top = Math.max(top, p.stable() * 1.1);
      }
    }
    double hi = top;
    return draw("Canary p99 latency by step", points, maxP99Ms, 0, hi, v -> v, v -> v > maxP99Ms,
        v -> fmt(v) + " ms", "max " + fmt(maxP99Ms) + " ms", fmt(hi) + " ms", "0");
  }

  private static GuardrailChart draw(String title, List<Point> points, double threshold, double lo, double hi,
      java.util.function.DoubleUnaryOperator scale, java.util.function.DoublePredicate breaks,
      java.util.function.DoubleFunction<String> show, String thresholdLabel, String topLabel, String bottomLabel) {
    double plot = HEIGHT - TOP - BOTTOM;
    double slot = (double) WIDTH / Math.max(1, points.size());
    List<Bar> bars = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      double x = slot * i + slot * 0.2;
      double w = slot * 0.6;
      double y = HEIGHT - BOTTOM;
      double h = 0;
      String value = "";
      boolean bad = false;
      if (!Double.isNaN(p.canary())) {
        // At least 2 units tall, so a figure at the bottom of the scale (0% success) still shows as a bar.
        y = Math.min(yOf(scale.applyAsDouble(p.canary()), lo, hi, plot), HEIGHT - BOTTOM - 2);
        h = HEIGHT - BOTTOM - y;
        value = show.apply(p.canary());
        bad = breaks.test(p.canary());
      }
      boolean hasStable = !Double.isNaN(p.stable());
      double stableY = hasStable ? yOf(scale.applyAsDouble(p.stable()), lo, hi, plot) : 0;
      bars.add(new Bar(p.label(), round(x), round(w), round(y), round(h), value, bad, hasStable, round(stableY)));
    }
    return new GuardrailChart(title, WIDTH, HEIGHT, round(yOf(threshold, lo, hi, plot)), thresholdLabel, topLabel,
        bottomLabel, bars);
  }

  private static double yOf(double v, double lo, double hi, double plot) {
    double clamped = Math.max(lo, Math.min(hi, v));
    return TOP + plot * (1 - (clamped - lo) / (hi - lo));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static String fmt(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
