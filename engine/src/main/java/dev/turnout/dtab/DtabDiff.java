package dev.turnout.dtab;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What changed between two dtabs, dentry by dentry. Dentries that keep their relative order are
 * unchanged (a longest common subsequence); of the rest:
 *
 * <ul>
 *   <li>{@link Moved}: the same dentry (prefix and destination) in both, at a different place in the
 *       order. In a dtab the later dentry wins, so a move can change routing.
 *   <li>{@link Changed}: the same prefix with a new destination.
 *   <li>{@link Added} / {@link Removed}: present on one side only.
 * </ul>
 *
 * <p>Example: from {@code /svc=>/a;/svc/x=>/b} to {@code /svc=>/c;/svc/x=>/b;/svc/y=>/d} is {@code
 * Changed(/svc, /a -> /c)} and {@code Added(2, /svc/y=>/d)}. Indexes count dentries from 0; {@code
 * fromIndex} is a position in the old dtab, {@code toIndex} in the new one. Changes are ordered by
 * their position in the new dtab, a removal by its old position.
 */
public record DtabDiff(List<Change> changes) {

  /**
   * Above this many cells the common-subsequence table is not built; every dentry outside the common
   * head and tail then counts as moved, changed, added or removed.
   */
  private static final long MAX_LCS_CELLS = 4_000_000L;

  public DtabDiff {
    changes = List.copyOf(changes);
  }

  /** One difference; {@link #kind()} names it for JSON and templates. */
  public sealed interface Change permits Added, Removed, Changed, Moved {
    String kind();

    /** The position used to order changes: in the new dtab, or in the old one for a removal. */
    int order();
  }

  public record Added(int toIndex, Dentry dentry) implements Change {
    @Override
    public String kind() {
      return "added";
    }

    @Override
    public int order() {
      return toIndex;
    }
  }

  public record Removed(int fromIndex, Dentry dentry) implements Change {
    @Override
    public String kind() {
      return "removed";
    }

    @Override
    public int order() {
      return fromIndex;
    }
  }

  public record Changed(int fromIndex, int toIndex, Dentry from, Dentry to) implements Change {
    @Override
    public String kind() {
      return "changed";
    }

    @Override
    public int order() {
      return toIndex;
    }

    public Prefix prefix() {
      return to.prefix();
    }
  }

  public record Moved(int fromIndex, int toIndex, Dentry dentry) implements Change {
    @Override
    public String kind() {
      return "moved";
    }

    @Override
    public int order() {
      return toIndex;
    }
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /** The changes that turn {@code from} into {@code to}. */
  public static DtabDiff between(Dtab from, Dtab to) {
    List<Dentry> a = from.dentries();
    List<Dentry> b = to.dentries();
    boolean[] keptA = new boolean[a.size()];
    boolean[] keptB = new boolean[b.size()];
    markCommonSubsequence(a, b, keptA, keptB);

    List<Change> changes = new ArrayList<>();
    // same dentry elsewhere: moved
    for (int i = 0; i < a.size(); i++) {
      if (keptA[i]) {
        continue;
      }
      for (int j = 0; j < b.size(); j++) {
        if (!keptB[j] && a.get(i).equals(b.get(j))) {
          changes.add(new Moved(i, j, a.get(i)));
          keptA[i] = true;
          keptB[j] = true;
          break;
        }
      }
    }
    // same prefix, new destination: changed
    for (int i = 0; i < a.size(); i++) {
      if (keptA[i]) {
        continue;
      }
      for (int j = 0; j < b.size(); j++) {
        if (!keptB[j] && a.get(i).prefix().equals(b.get(j).prefix())) {
          changes.add(new Changed(i, j, a.get(i), b.get(j)));
          keptA[i] = true;
          keptB[j] = true;
          break;
        }
      }
    }
    for (int i = 0; i < a.size(); i++) {
      if (!keptA[i]) {
        changes.add(new Removed(i, a.get(i)));
      }
    }
    for (int j = 0; j < b.size(); j++) {
      if (!keptB[j]) {
        changes.add(new Added(j, b.get(j)));
      }
    }
    changes.sort(
        Comparator.comparingInt(Change::order).thenComparingInt(c -> c instanceof Removed ? 0 : 1));
    return new DtabDiff(changes);
  }

  /** Marks the dentries of a longest common subsequence of {@code a} and {@code b} as kept. */
  private static void markCommonSubsequence(
      List<Dentry> a, List<Dentry> b, boolean[] keptA, boolean[] keptB) {
    int start = 0;
    while (start < a.size() && start < b.size() && a.get(start).equals(b.get(start))) {
      keptA[start] = true;
      keptB[start] = true;
      start++;
    }
    int endA = a.size();
    int endB = b.size();
    while (endA > start && endB > start && a.get(endA - 1).equals(b.get(endB - 1))) {
      keptA[--endA] = true;
      keptB[--endB] = true;
    }
    int n = endA - start;
    int m = endB - start;
    if (n == 0 || m == 0 || (long) n * m > MAX_LCS_CELLS) {
      return;
    }
    // lengths[i][j] = LCS length of a[start+i..endA) and b[start+j..endB)
    int[][] lengths = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lengths[i][j] =
            a.get(start + i).equals(b.get(start + j))
                ? lengths[i + 1][j + 1] + 1
                : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
      }
    }
    int i = 0;
    int j = 0;
    while (i < n && j < m) {
      if (a.get(start + i).equals(b.get(start + j))) {
        keptA[start + i] = true;
        keptB[start + j] = true;
        i++;
        j++;
      } else if (lengths[i + 1][j] >= lengths[i][j + 1]) {
        i++;
      } else {
        j++;
      }
    }
  }
}
