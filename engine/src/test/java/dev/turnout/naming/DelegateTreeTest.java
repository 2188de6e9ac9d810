package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DelegateTreeTest {
  private static final String ADDR =
      "{\"type\":\"bound\",\"addrs\":[{\"ip\":\"127.0.0.1\",\"port\":8080,\"meta\":{}}],\"meta\":{}}";

  private static DelegateTree delegate(String dtab, String path, String... existing) {
    return VectorNamers.interpreter(Set.of(existing)).delegate(Dtab.read(dtab), Path.read(path));
  }

  private static String json(DelegateTree t) {
    return NamingJson.write(NamingJson.delegateTree(t));
  }

  @Test
  void theRootDelegatesTheInputPathAndLeavesOutItsNoOpDentry() {
    DelegateTree t = delegate("/svc => /#/disco", "/svc/users", "users");

    assertThat(json(t))
        .isEqualTo(
            "{\"type\":\"delegate\",\"path\":\"/svc/users\",\"delegate\":{\"type\":\"leaf\","
                + "\"path\":\"/#/disco/users\",\"dentry\":{\"prefix\":\"/svc\",\"dst\":\"/#/disco\"},"
                + "\"bound\":{\"addr\":"
                + ADDR
                + ",\"id\":\"/#/disco/users\",\"path\":\"/\"}}}");
  }

  @Test
  void everyAlternativeIsExpandedLaterDentryFirst() {
    DelegateTree t = delegate("/svc => /#/disco/a; /svc => /#/disco/b", "/svc", "a");

    assertThat(t).isInstanceOf(DelegateTree.Alt.class);
    DelegateTree.Alt alt = (DelegateTree.Alt) t;
    assertThat(alt.trees()).extracting(DelegateTree::path)
        .containsExactly(Path.read("/#/disco/b"), Path.read("/#/disco/a"));
    assertThat(alt.trees().get(0)).isInstanceOf(DelegateTree.Neg.class);
    assertThat(alt.trees().get(1)).isInstanceOf(DelegateTree.Leaf.class);
    assertThat(DelegateTree.primaryIndex(alt)).isEqualTo(1);
  }

  @Test
  void aNameNothingMatchesIsNegWithItsPath() {
    assertThat(json(delegate("/svc => /#/disco", "/nothing"))).isEqualTo("{\"type\":\"neg\",\"path\":\"/nothing\"}");
  }

  @Test
  void anExplicitNegHasNoPathAndPrintsTilde() {
    assertThat(json(delegate("/svc => ~", "/svc/x")))
        .isEqualTo(
            "{\"type\":\"delegate\",\"path\":\"/svc/x\",\"delegate\":{\"type\":\"neg\",\"path\":\"~\","
                + "\"dentry\":{\"prefix\":\"/svc\",\"dst\":\"~\"}}}");
  }

  @Test
  void anExplicitFailPrintsBangAndAFailPathPrintsItself() {
    assertThat(json(delegate("/svc => !", "/svc"))).contains("{\"type\":\"fail\",\"path\":\"!\"");
    assertThat(json(delegate("/svc => /$/fail", "/svc"))).contains("{\"type\":\"fail\",\"path\":\"/$/fail\"");
  }

  @Test
  void aNamerErrorBecomesAnExceptionNodeBesideTheOtherAlternatives() {
    DelegateTree t = delegate("/svc => /$/no.Such | /#/disco/a", "/svc", "a");

    assertThat(json(t))
        .contains("{\"type\":\"exception\",\"path\":\"/$/no.Such\"")
        .contains("\"message\":\"Unknown namer: no.Such for path: /$/no.Such\"")
        .contains("\"type\":\"leaf\"");
    assertThat(t.outcome()).isEqualTo(DelegateTree.Outcome.FAIL);
  }

  @Test
  void aLoopEndsInAnExceptionNodeAtTheDepthLimit() {
    DelegateTree t = delegate("/ => /#/disco", "/users", "users");

    DelegateTree deepest = t;
    int depth = 0;
    while (deepest instanceof DelegateTree.Delegate d) {
      deepest = d.tree();
      depth++;
    }
    assertThat(deepest).isEqualTo(new DelegateTree.Exception(deepest.path(), deepest.dentry(), "Max recursion level reached."));
    assertThat(depth).isEqualTo(Interpreter.MAX_DEPTH);
  }

  @Test
  void unionBranchesAreAllExpandedWithTheirWeights() {
    DelegateTree t = delegate("/svc => 0.9 * /#/disco/a & 0.1 * /#/disco/b", "/svc", "a");

    assertThat(json(t))
        .startsWith("{\"type\":\"union\",\"path\":\"/svc\",\"union\":[{\"weight\":0.9,\"tree\":{\"type\":\"leaf\"")
        .contains("{\"weight\":0.1,\"tree\":{\"type\":\"neg\",\"path\":\"/#/disco/b\"");
    assertThat(t.outcome()).isEqualTo(DelegateTree.Outcome.SUCCESS);
  }

  @Test
  void anAltTakesTheOutcomeOfItsFirstNonNegMember() {
    assertThat(delegate("/svc => /#/disco/a | ! | /#/disco/b", "/svc", "b").outcome())
        .isEqualTo(DelegateTree.Outcome.FAIL);
    assertThat(delegate("/svc => /#/disco/a | /#/disco/b", "/svc").outcome())
        .isEqualTo(DelegateTree.Outcome.NEG);
  }

  @Test
  void aLeafWhoseEndpointSetIsNegIsNeg() {
    BoundName gone = new BoundName(Path.read("/#/x"), Path.EMPTY, new Var<>(new Addr.Neg()));

    assertThat(new DelegateTree.Leaf(Path.read("/#/x"), DelegateTree.NOP, gone).outcome())
        .isEqualTo(DelegateTree.Outcome.NEG);
  }

  @Test
  void aDelegateWhoseChildHasItsPathCollapsesIntoTheChildTakingItsDentry() {
    DelegateTree.Leaf leaf =
        new DelegateTree.Leaf(
            Path.read("/a"),
            dev.turnout.dtab.Dentry.read("/x => /a"),
            new BoundName(Path.read("/a"), Path.EMPTY, new Var<>(new Addr.Bound(java.util.List.of()))));
    dev.turnout.dtab.Dentry outer = dev.turnout.dtab.Dentry.read("/y => /x");

    DelegateTree s = new DelegateTree.Delegate(Path.read("/a"), outer, leaf).simplified();

    assertThat(s).isEqualTo(new DelegateTree.Leaf(Path.read("/a"), outer, leaf.bound()));
  }

  @Test
  void anEmptyMemberStopsAnAltAsBindingDoes() {
    DelegateTree t = delegate("/svc => $ | /#/disco/b", "/svc", "b");

    assertThat(t).isInstanceOf(DelegateTree.Alt.class);
    assertThat(t.outcome()).isEqualTo(DelegateTree.Outcome.EMPTY);
    assertThat(DelegateTree.primaryIndex((DelegateTree.Alt) t)).isZero();
  }

  @Test
  void aUnionWithASucceedingBranchBesideAnEmptyOneSucceeds() {
    DelegateTree t = delegate("/svc => /#/disco/b & $", "/svc", "b");

    assertThat(t.outcome()).isEqualTo(DelegateTree.Outcome.SUCCESS);
  }
}
