package dev.turnout.dtab;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * For each first label, the dentries that could match a path starting with it, last dentry first: those
 * whose prefix starts with that label, and those whose prefix starts with {@code *} or is empty (which
 * match any first label). {@link Dtab#lookup} then checks only these, in the same order as a full scan.
 */
final class DentryIndex {
  /** Below this many dentries a scan is as quick as the index. */
  static final int WORTH_IT = 8;

  private final Map<String, int[]> byFirstLabel;
  /** Dentries with an empty or {@code *}-first prefix, for a first label no dentry names. */
  private final int[] anyFirst;

  private DentryIndex(Map<String, int[]> byFirstLabel, int[] anyFirst) {
    this.byFirstLabel = byFirstLabel;
    this.anyFirst = anyFirst;
  }

  static DentryIndex of(List<Dentry> dentries) {
    Map<String, List<Integer>> buckets = new HashMap<>();
    List<Integer> any = new ArrayList<>();
    for (int i = dentries.size() - 1; i >= 0; i--) {
      List<Prefix.Elem> elems = dentries.get(i).prefix().elems();
      if (!elems.isEmpty() && elems.get(0) instanceof Prefix.Label l) {
        int index = i;
        buckets.computeIfAbsent(l.bytes(), k -> new ArrayList<>(any)).add(index);
      } else {
        any.add(i);
        for (List<Integer> bucket : buckets.values()) {
          bucket.add(i);
        }
      }
    }
    Map<String, int[]> byFirstLabel = new HashMap<>();
    buckets.forEach((label, bucket) -> byFirstLabel.put(label, toArray(bucket)));
    return new DentryIndex(byFirstLabel, toArray(any));
  }

  /** Indexes of the dentries that may match {@code path}, last dentry first. */
  int[] candidates(Path path) {
    if (path.isEmpty()) {
      return anyFirst;
    }
    int[] c = byFirstLabel.get(path.label(0));
    return c != null ? c : anyFirst;
  }

  private static int[] toArray(List<Integer> list) {
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }
}
