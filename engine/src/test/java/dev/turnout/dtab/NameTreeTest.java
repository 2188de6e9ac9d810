package dev.turnout.dtab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NameTreeTest {
  private static NameTree<Path> leaf(String p) {
    return NameTree.leaf(Path.read(p));
  }

  @Test
  void aOneMemberUnionPrintsAsItsMemberWithoutItsWeight() {
    NameTree<Path> t = new NameTree.Union<>(List.of(new NameTree.Weighted<>(0.5, leaf("/a"))));

    assertThat(t.show()).isEqualTo("/a");
  }

  @Test
  void aOneMemberAltInsideAUnionNeedsNoParentheses() {
    NameTree<Path> t =
        NameTree.union(
            new NameTree.Weighted<>(1.0, new NameTree.Alt<>(List.of(leaf("/a")))),
            new NameTree.Weighted<>(2.0, leaf("/b")));

    assertThat(t.show()).isEqualTo("/a & 2.00*/b");
  }

  @Test
  void anAltInsideAnAltIsParenthesised() {
    assertThat(NameTree.alt(leaf("/a"), NameTree.alt(leaf("/b"), leaf("/c"))).show()).isEqualTo("/a | (/b | /c)");
  }

  @Test
  void aLoneFailBranchStaysFailWhenSimplified() {
    NameTree<Path> t = new NameTree.Union<>(List.of(new NameTree.Weighted<>(1.0, NameTree.fail())));

    assertThat(t.simplify()).isEqualTo(NameTree.fail());
  }

  @Test
  void aLoneFailBranchStopsAnAltWhenEvaluated() {
    NameTree<Path> t =
        NameTree.alt(new NameTree.Union<>(List.of(new NameTree.Weighted<>(1.0, NameTree.fail()))), leaf("/b"));

    assertThat(t.eval()).isEmpty();
  }

  @Test
  void simplifyingTwiceChangesNothing() {
    NameTree<Path> t = NameTree.read("(~ | /a | !) & (/b & ~) & (~ | (~ | $)) | /c");

    assertThat(t.simplify().simplify()).isEqualTo(t.simplify());
  }

  @Test
  void theLaterDentryIsTriedFirstWhateverItsLength() {
    Dtab dtab = Dtab.read("/svc/users => /long; /svc => /short");

    assertThat(dtab.lookup(Path.read("/svc/users/x")).show()).isEqualTo("/short/users/x | /long/x");
  }
}
