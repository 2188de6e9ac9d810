package dev.turnout.dtab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@code read(show(x))} equals {@code x} for generated trees and dtabs: Alt and Union nodes of two or
 * more members, nested freely; weights with at most two decimals; labels with bytes that need {@code
 * \xHH}; prefixes with {@code *}.
 */
class ShowReadRoundTripTest {
  private static final String LABEL_CHARS =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_:.#$%-";

  @Property(tries = 400)
  void aTreeReadsBackFromItsCanonicalText(@ForAll("trees") NameTree<Path> tree) {
    assertThat(NameTree.read(tree.show())).isEqualTo(tree);
  }

  @Property(tries = 300)
  void aDtabReadsBackFromItsCanonicalText(@ForAll("dtabs") Dtab dtab) {
    assertThat(Dtab.read(dtab.show())).isEqualTo(dtab);
  }

  @Property(tries = 300)
  void aDtabReadsBackFromItsOneDentryALineForm(@ForAll("dtabs") Dtab dtab) {
    assertThat(Dtab.read(dtab.showLines())).isEqualTo(dtab);
  }

  @Property(tries = 300)
  void aPathReadsBackFromItsCanonicalText(@ForAll("paths") Path path) {
    assertThat(Path.read(path.show())).isEqualTo(path);
  }

  @Provide
  Arbitrary<Path> paths() {
    return labels().list().ofMaxSize(4).map(Path::new);
  }

  @Provide
  Arbitrary<NameTree<Path>> trees() {
    return tree(3);
  }

  @Provide
  Arbitrary<Dtab> dtabs() {
    Arbitrary<Prefix.Elem> elem =
        Arbitraries.frequencyOf(
            Tuple.of(4, labels().map(Prefix.Label::new)), Tuple.of(1, Arbitraries.just(Prefix.AnyElem.ANY)));
    Arbitrary<Prefix> prefix = elem.list().ofMaxSize(3).map(Prefix::new);
    Arbitrary<Dentry> dentry = Combinators.combine(prefix, tree(2)).as(Dentry::new);
    return dentry.list().ofMaxSize(5).map(Dtab::new);
  }

  private Arbitrary<NameTree<Path>> tree(int depth) {
    Arbitrary<NameTree<Path>> leaves =
        Arbitraries.frequencyOf(
            Tuple.of(6, paths().map(NameTree::leaf)),
            Tuple.of(1, Arbitraries.just(NameTree.neg())),
            Tuple.of(1, Arbitraries.just(NameTree.fail())),
            Tuple.of(1, Arbitraries.just(NameTree.empty())));
    if (depth == 0) {
      return leaves;
    }
    Arbitrary<NameTree<Path>> sub = Arbitraries.lazy(() -> tree(depth - 1));
    Arbitrary<NameTree<Path>> alt =
        sub.list().ofMinSize(2).ofMaxSize(3).map(ts -> new NameTree.Alt<>(ts));
    Arbitrary<NameTree.Weighted<Path>> weighted =
        Combinators.combine(weights(), sub).as(NameTree.Weighted::new);
    Arbitrary<NameTree<Path>> union =
        weighted.list().ofMinSize(2).ofMaxSize(3).map(ws -> new NameTree.Union<>(ws));
    return Arbitraries.frequencyOf(Tuple.of(3, leaves), Tuple.of(1, alt), Tuple.of(1, union));
  }

  /** Weights of at most two decimals, 1 (printed bare) often. */
  private static Arbitrary<Double> weights() {
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.just(1.0)),
        Tuple.of(3, Arbitraries.integers().between(0, 10_000).map(i -> i / 100.0)));
  }

  /** Labels mostly of label chars, sometimes holding any byte (printed as {@code \xHH}). */
  private static Arbitrary<String> labels() {
    Arbitrary<Character> plain = Arbitraries.of(chars(LABEL_CHARS));
    Arbitrary<Character> anyByte = Arbitraries.integers().between(0, 255).map(i -> (char) i.intValue());
    Arbitrary<Character> c = Arbitraries.frequencyOf(Tuple.of(8, plain), Tuple.of(1, anyByte));
    return c.list().ofMinSize(1).ofMaxSize(6).map(ShowReadRoundTripTest::join);
  }

  private static List<Character> chars(String s) {
    List<Character> out = new ArrayList<>();
    for (char ch : s.toCharArray()) {
      out.add(ch);
    }
    return out;
  }

  private static String join(List<Character> cs) {
    StringBuilder b = new StringBuilder();
    cs.forEach(b::append);
    return b.toString();
  }
}
