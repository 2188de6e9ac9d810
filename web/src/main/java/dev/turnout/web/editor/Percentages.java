package dev.turnout.web.editor;

import java.util.ArrayList;
import java.util.List;

/**
 * Whole percentages for the branches of a union, always summing to exactly 100: what the sliders show
 * and what they write back (as weights {@code p/100}). Rounding gives the leftover points to the largest
 * remainders, so {@code 1 & 1 & 1} reads 34/33/33, never 33/33/33.
 */
final class Percentages {
  private Percentages() {}

  /** The share of each weight, in whole percent; all-zero weights share evenly. */
  static List<Integer> of(List<Double> weights) {
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    List<Double> exact = new ArrayList<>(weights.size());
    for (double w : weights) {
      exact.add(sum > 0 ? 100.0 * w / sum : 100.0 / weights.size());
    }
    return roundTo(100, exact);
  }

  /**
   * Sets branch {@code index} to {@code value} (clamped to 0-100) and shares what is left among the
   * others in proportion to their current percentages, or evenly when they are all zero.
   */
  static List<Integer> rebalance(List<Integer> current, int index, int value) {
    if (index < 0 || index >= current.size()) {
      throw new IllegalArgumentException("the union has no branch " + (index + 1));
    }
    int v = Math.max(0, Math.min(100, value));
    if (current.size() == 1) {
      return List.of(100);
    }
    int rest = 100 - v;
    int others = 0;
    for (int i = 0; i < current.size(); i++) {
      if (i != index) {
        others += current.get(i);
      }
    }
    List<Double> exact = new ArrayList<>(current.size() - 1);
    for (int i = 0; i < current.size(); i++) {
      if (i != index) {
        exact.add(others > 0 ? (double) rest * current.get(i) / others : (double) rest / (current.size() - 1));
      }
    }
    List<Integer> rounded = roundTo(rest, exact);
    List<Integer> out = new ArrayList<>(current.size());
    int j = 0;
    for (int i = 0; i < current.size(); i++) {
      out.add(i == index ? v : rounded.get(j++));
    }
    return List.copyOf(out);
  }

  /** Largest-remainder rounding of {@code exact} (which sums to {@code total}) to integers summing to it. */
  private static List<Integer> roundTo(int total, List<Double> exact) {
    int n = exact.size();
    int[] floor = new int[n];
    int used = 0;
    for (int i = 0; i < n; i++) {
      floor[i] = (int) Math.floor(exact.get(i) + 1e-9);
      used += floor[i];
    }
    boolean[] bumped = new boolean[n];
    for (int left = total - used; left > 0; left--) {
      int best = -1;
      double bestRem = -1;
      for (int i = 0; i < n; i++) {
        double rem = exact.get(i) - floor[i];
        if (!bumped[i] && rem > bestRem) {
          best = i;
          bestRem = rem;
        }
      }
      if (best < 0) {
        break;
      }
      bumped[best] = true;
      floor[best]++;
    }
    List<Integer> out = new ArrayList<>(n);
    for (int f : floor) {
      out.add(f);
    }
    return List.copyOf(out);
  }
}
