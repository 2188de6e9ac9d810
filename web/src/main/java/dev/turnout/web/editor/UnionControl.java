package dev.turnout.web.editor;

import java.util.List;

/**
 * The sliders of one union of the draft: its address ({@link UnionAddress#id()}), the dentry prefix it
 * belongs to, and one {@link Branch} per branch with its share in whole percent (summing to 100).
 */
public record UnionControl(String id, String prefix, List<Branch> branches) {
  public UnionControl {
    branches = List.copyOf(branches);
  }

  /** One slider: its DOM id, its branch index, the destination it weighs and its percentage. */
  public record Branch(String sliderId, int index, String destination, int percent) {}
}
