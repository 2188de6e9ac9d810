package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NamingJsonTest {
  private static String bind(String dtab, String path, String... existing) {
    NameTree<BoundName> t = VectorNamers.interpreter(Set.of(existing)).bind(Dtab.read(dtab), Path.read(path));
    return NamingJson.write(NamingJson.boundTree(t));
  }

  @Test
  void aLeafCarriesItsAddrIdAndResidual() {
    assertThat(bind("/svc => /$/inet/127.1/8080", "/svc/rest"))
        .isEqualTo(
            "{\"type\":\"leaf\",\"bound\":{\"addr\":{\"type\":\"bound\",\"addrs\":[{\"ip\":\"127.0.0.1\","
                + "\"port\":8080,\"meta\":{}}],\"meta\":{}},\"id\":\"/$/inet/127.1/8080\",\"path\":\"/rest\"}}");
  }

  @Test
  void negFailAndEmptyAreJustTheirType() {
    assertThat(bind("/svc => ~ | ~", "/svc")).isEqualTo("{\"type\":\"neg\"}");
    assertThat(bind("/svc => !", "/svc")).isEqualTo("{\"type\":\"fail\"}");
    assertThat(bind("/svc => $", "/svc")).isEqualTo("{\"type\":\"empty\"}");
  }

  @Test
  void aUnionListsWeightedBranchesWhoseAddrsRecordTheWeight() {
    String json = bind("/svc => 0.9 * /#/disco/a & 0.1 * /#/disco/b", "/svc", "a", "b");

    assertThat(json)
        .startsWith("{\"type\":\"union\",\"union\":[{\"weight\":0.9,\"tree\":{\"type\":\"leaf\"")
        .contains("\"meta\":{\"namer_nametree_weight\":0.9}},\"id\":\"/#/disco/a\"")
        .contains("{\"weight\":0.1,\"tree\":");
  }

  @Test
  void aLoneSurvivingBranchKeepsItsWeightOnlyInTheAddrMetadata() {
    assertThat(bind("/svc => 0.9 * /#/disco/a & 0.1 * /#/disco/b", "/svc", "a"))
        .startsWith("{\"type\":\"leaf\"")
        .contains("\"meta\":{\"namer_nametree_weight\":0.9}");
  }

  @Test
  void addrJsonCoversEveryState() {
    assertThat(NamingJson.write(NamingJson.addr(new Addr.Neg()))).isEqualTo("{\"type\":\"neg\"}");
    assertThat(NamingJson.write(NamingJson.addr(new Addr.Pending()))).isEqualTo("{\"type\":\"pending\"}");
    assertThat(NamingJson.write(NamingJson.addr(new Addr.Failed("users:2: bad"))))
        .isEqualTo("{\"type\":\"failed\",\"cause\":\"users:2: bad\"}");
    assertThat(NamingJson.write(NamingJson.addr(new Addr.Bound(List.of(new Address("10.0.0.1", 80, 2.0, Map.of("zone", "a")))))))
        .isEqualTo(
            "{\"type\":\"bound\",\"addrs\":[{\"ip\":\"10.0.0.1\",\"port\":80,\"meta\":"
                + "{\"endpoint_addr_weight\":2.0,\"zone\":\"a\"}}],\"meta\":{}}");
  }

  @Test
  void ipLiteralsPrintInTheirUsualFormAndHostNamesAsWritten() {
    assertThat(NamingJson.ip("127.1")).isEqualTo("127.0.0.1");
    assertThat(NamingJson.ip("10.1.2")).isEqualTo("10.1.0.2");
    assertThat(NamingJson.ip("localhost")).isEqualTo("127.0.0.1");
    assertThat(NamingJson.ip("999.1.1.1")).isEqualTo("999.1.1.1");
    assertThat(NamingJson.ip("backend.internal")).isEqualTo("backend.internal");
  }

  @Test
  void theWeightMetadataFollowsTheNamersVarLive() {
    Var<Addr> source = new Var<>(new Addr.Bound(List.of(new Address("10.0.0.1", 80))));
    Namer one = p -> NameTree.leaf(new Name.Resolved(new BoundName(Path.read("/#/one"), p, source)));
    Interpreter interpreter = new Interpreter(List.of(new Interpreter.Mount(Path.read("/#/one"), one)));
    NameTree<BoundName> t = interpreter.bind(Dtab.read("/s => 0.5*/#/one & 0.5*~"), Path.read("/s"));
    Var<Addr> seen = ((NameTree.Leaf<BoundName>) t).value().addr();

    source.set(new Addr.Bound(List.of(new Address("10.0.0.2", 81))));

    assertThat(seen.get())
        .isEqualTo(
            new Addr.Bound(
                List.of(new Address("10.0.0.2", 81)), Map.of(Interpreter.WEIGHT_META_KEY, 0.5)));
  }
}
