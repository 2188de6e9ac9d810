package dev.turnout.dtab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Once a dtab indexes its dentries, lookup answers exactly as the plain last-to-first scan does. */
class DentryIndexTest {

  @Test
  void anIndexedLookupEqualsTheScan() {
    Generated.forEachSeed(300, g -> {
      List<String> labels = List.of("a", "b", "c");
      List<Dentry> dentries = new ArrayList<>();
      int n = g.between(DentryIndex.WORTH_IT, 30);
      for (int i = 0; i < n; i++) {
        dentries.add(new Dentry(g.prefix(labels), NameTree.leaf(Path.of("d" + g.between(0, 99)))));
      }
      Dtab dtab = new Dtab(dentries);
      List<Path> paths = new ArrayList<>();
      int m = g.between(1, 10);
      for (int i = 0; i < m; i++) {
        List<String> path = new ArrayList<>();
        int len = g.between(0, 4);
        for (int j = 0; j < len; j++) {
          path.add(g.pick(List.of("a", "b", "c", "z")));
        }
        paths.add(new Path(path));
      }
      assertIndexedEqualsScan(dtab, paths);
    });
  }

  private static void assertIndexedEqualsScan(Dtab dtab, List<Path> paths) {
    for (int i = 0; i < Dtab.INDEX_AFTER_LOOKUPS + 1; i++) {
      dtab.lookup(Path.EMPTY);
    }

    for (Path p : paths) {
      assertThat(dtab.lookup(p)).as("lookup of %s in %s", p, dtab).isEqualTo(scan(dtab, p));
    }
  }

  /** The rule of dtab.md §2.1, written out. */
  private static NameTree<Path> scan(Dtab dtab, Path path) {
    List<NameTree<Path>> matches = new ArrayList<>();
    for (int i = dtab.size() - 1; i >= 0; i--) {
      Dentry d = dtab.dentries().get(i);
      if (d.prefix().matches(path)) {
        Path rest = path.drop(d.prefix().size());
        matches.add(d.dst().map(p -> p.concat(rest)));
      }
    }
    if (matches.isEmpty()) {
      return NameTree.neg();
    }
    return matches.size() == 1 ? matches.get(0) : new NameTree.Alt<>(matches);
  }
}
