package dev.turnout.web.editor;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a union sits in a dtab: the dentry (from 0) and the steps down its destination tree, each the
 * index of an Alt member or a Union branch. Its {@link #id()} is used in DOM ids and form values:
 * {@code d2} is the destination of dentry 2 itself, {@code d2-1_0} the first branch of its second member.
 */
record UnionAddress(int dentry, List<Integer> steps) {

  UnionAddress {
    if (dentry < 0) {
      throw new IllegalArgumentException("a dentry index is >= 0, not " + dentry);
    }
    steps = List.copyOf(steps);
  }

  String id() {
    StringBuilder out = new StringBuilder("d").append(dentry);
    for (int i = 0; i < steps.size(); i++) {
      out.append(i == 0 ? '-' : '_').append(steps.get(i));
    }
    return out.toString();
  }

  UnionAddress child(int step) {
    List<Integer> more = new ArrayList<>(steps);
    more.add(step);
    return new UnionAddress(dentry, more);
  }

  /** Reads an {@link #id()}. @throws IllegalArgumentException for anything else */
  static UnionAddress parse(String id) {
    if (id == null || !id.matches("d\\d{1,4}(-\\d{1,4}(_\\d{1,4})*)?")) {
      throw new IllegalArgumentException("not a union address: " + id);
    }
    int dash = id.indexOf('-');
    int dentry = Integer.parseInt(id.substring(1, dash < 0 ? id.length() : dash));
    List<Integer> steps = new ArrayList<>();
    if (dash >= 0) {
      for (String s : id.substring(dash + 1).split("_")) {
        steps.add(Integer.parseInt(s));
      }
    }
    return new UnionAddress(dentry, steps);
  }
}
