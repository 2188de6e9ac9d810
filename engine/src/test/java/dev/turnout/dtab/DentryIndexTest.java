package dev.turnout.dtab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Once a dtab indexes its dentries, lookup answers exactly as the plain last-to-first scan does. */
class DentryIndexTest {

  @Property(tries = 300)
  void anIndexedLookupEqualsTheScan(@ForAll("dtabs") Dtab dtab, @ForAll("paths") List<Path> paths) {
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

  @Provide
  Arbitrary<Dtab> dtabs() {
    Arbitrary<Prefix.Elem> elem =
        Arbitraries.oneOf(
            Arbitraries.of("a", "b", "c").map(Prefix.Label::new),
            Arbitraries.just(Prefix.AnyElem.ANY));
    Arbitrary<Prefix> prefix = elem.list().ofMaxSize(3).map(Prefix::new);
    Arbitrary<Dentry> dentry =
        prefix.flatMap(
            p -> Arbitraries.integers().between(0, 99).map(i -> new Dentry(p, NameTree.leaf(Path.of("d" + i)))));
    return dentry.list().ofMinSize(DentryIndex.WORTH_IT).ofMaxSize(30).map(Dtab::new);
  }

  @Provide
  Arbitrary<List<Path>> paths() {
    return Arbitraries.of("a", "b", "c", "z").list().ofMaxSize(4).map(Path::new).list().ofMinSize(1).ofMaxSize(10);
  }
}
