package dev.turnout.dtab;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Random dtab values from a seeded {@link Random}, for property tests: every case is reproducible from
 * the seed its failure message names. Alt and Union nodes have two or three members, nested up to a
 * depth; weights have at most two decimals (1, printed bare, often); labels are mostly label chars and
 * sometimes any byte (printed as {@code \xHH}); prefixes hold {@code *} now and then.
 */
final class Generated {
  private static final String LABEL_CHARS =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_:.#$%-";

  private final Random random;

  private Generated(long seed) {
    this.random = new Random(seed);
  }

  /** Runs {@code property} for {@code cases} seeds, naming the seed when one fails. */
  static void forEachSeed(int cases, Consumer<Generated> property) {
    for (long seed = 1; seed <= cases; seed++) {
      try {
        property.accept(new Generated(seed));
      } catch (AssertionError e) {
        throw new AssertionError("property failed for seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  int between(int min, int max) {
    return min + random.nextInt(max - min + 1);
  }

  boolean oneIn(int n) {
    return random.nextInt(n) == 0;
  }

  <T> T pick(List<T> options) {
    return options.get(random.nextInt(options.size()));
  }

  String label() {
    StringBuilder b = new StringBuilder();
    int n = between(1, 6);
    for (int i = 0; i < n; i++) {
      b.append(oneIn(9) ? (char) random.nextInt(256) : LABEL_CHARS.charAt(random.nextInt(LABEL_CHARS.length())));
    }
    return b.toString();
  }

  Path path() {
    List<String> labels = new ArrayList<>();
    int n = between(0, 4);
    for (int i = 0; i < n; i++) {
      labels.add(label());
    }
    return new Path(labels);
  }

  double weight() {
    return oneIn(3) ? 1.0 : between(0, 10_000) / 100.0;
  }

  NameTree<Path> tree(int depth) {
    int roll = random.nextInt(depth == 0 ? 9 : 14);
    if (roll < 6) {
      return NameTree.leaf(path());
    } else if (roll == 6) {
      return NameTree.neg();
    } else if (roll == 7) {
      return NameTree.fail();
    } else if (roll == 8) {
      return NameTree.empty();
    } else if (roll < 12) {
      List<NameTree<Path>> members = new ArrayList<>();
      int n = between(2, 3);
      for (int i = 0; i < n; i++) {
        members.add(tree(depth - 1));
      }
      return new NameTree.Alt<>(members);
    }
    List<NameTree.Weighted<Path>> branches = new ArrayList<>();
    int n = between(2, 3);
    for (int i = 0; i < n; i++) {
      branches.add(new NameTree.Weighted<>(weight(), tree(depth - 1)));
    }
    return new NameTree.Union<>(branches);
  }

  Prefix prefix(List<String> labels) {
    List<Prefix.Elem> elems = new ArrayList<>();
    int n = between(0, 3);
    for (int i = 0; i < n; i++) {
      elems.add(oneIn(5) ? Prefix.AnyElem.ANY : new Prefix.Label(labels == null ? label() : pick(labels)));
    }
    return new Prefix(elems);
  }

  Dtab dtab(int minDentries, int maxDentries) {
    List<Dentry> dentries = new ArrayList<>();
    int n = between(minDentries, maxDentries);
    for (int i = 0; i < n; i++) {
      dentries.add(new Dentry(prefix(null), tree(2)));
    }
    return new Dtab(dentries);
  }

  /** A string of {@code maxLength} chars at most, drawn from {@code chars}, or from all of UTF-16 when null. */
  String text(String chars, int maxLength) {
    StringBuilder b = new StringBuilder();
    int n = between(0, maxLength);
    for (int i = 0; i < n; i++) {
      b.append(chars == null ? (char) random.nextInt(Character.MAX_VALUE + 1) : chars.charAt(random.nextInt(chars.length())));
    }
    return b.toString();
  }
}
