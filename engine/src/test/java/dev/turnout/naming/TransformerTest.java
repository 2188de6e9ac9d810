package dev.turnout.naming;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransformerTest {
  private static final Path FILES = Path.read("/#/io.l5d.fs");
  private final Map<String, Var<Addr>> sets =
      Map.of(
          "users", new Var<>(new Addr.Bound(List.of(new Address("127.0.0.1", 8080), new Address("192.0.2.9", 8081)))),
          "remote", new Var<>(new Addr.Bound(List.of(new Address("192.0.2.9", 8081)))));
  private final Interpreter interpreter =
      new Interpreter(
          List.of(
              new Interpreter.Mount(
                  FILES,
                  path -> {
                    Var<Addr> addr = path.isEmpty() ? null : sets.get(path.labelText(0));
                    if (addr == null) {
                      return NameTree.neg();
                    }
                    return NameTree.leaf(
                        new Name.Resolved(new BoundName(FILES.concat(path.take(1)), path.drop(1), addr)));
                  })));
  private final Dtab dtab = Dtab.read("/svc => /#/io.l5d.fs");

  private static BoundName only(NameTree<BoundName> tree) {
    return ((NameTree.Leaf<BoundName>) tree).value();
  }

  private NameTree<BoundName> bind(String service, Transformer... ts) {
    return new TransformerChain(List.of(ts)).apply(interpreter.bind(dtab, Path.read(service)));
  }

  @Test
  void portMovesEveryAddressAndPutsTheIdUnderItsPrefix() {
    BoundName b = only(bind("/svc/users/rest", Transformer.port(Path.read("/%/io.l5d.port/4141"), 4141)));

    assertThat(b.id().show()).isEqualTo("/%/io.l5d.port/4141/#/io.l5d.fs/users");
    assertThat(b.residual().show()).isEqualTo("/rest");
    assertThat(b.addr().get())
        .isEqualTo(new Addr.Bound(List.of(new Address("127.0.0.1", 4141), new Address("192.0.2.9", 4141))));
  }

  @Test
  void portFollowsTheNamersSetAsItChanges() {
    BoundName b = only(bind("/svc/users", Transformer.port(Path.read("/%/p"), 4141)));

    sets.get("users").set(new Addr.Bound(List.of(new Address("10.0.0.1", 1), new Address("10.0.0.1", 2))));

    assertThat(b.addr().get()).isEqualTo(new Addr.Bound(List.of(new Address("10.0.0.1", 4141))));
  }

  @Test
  void aHostFilterKeepsOnlyThatHostsAddresses() {
    Transformer local = AddressTransformer.hosts("io.l5d.localhost", Path.read("/%/io.l5d.localhost"),
        Set.of(InetAddress.getLoopbackAddress()));

    BoundName b = only(bind("/svc/users", local));

    assertThat(b.id().show()).isEqualTo("/%/io.l5d.localhost/#/io.l5d.fs/users");
    assertThat(b.addr().get()).isEqualTo(new Addr.Bound(List.of(new Address("127.0.0.1", 8080))));
  }

  @Test
  void aHostFilterThatLeavesNothingMakesTheNameNeg() {
    BoundName b = only(bind("/svc/remote", Transformer.localhost(Path.read("/%/io.l5d.localhost"))));

    assertThat(b.addr().get()).isEqualTo(new Addr.Neg());
  }

  @Test
  void localhostCountsTheLoopbackAndTheWordLocalhostAsThisHost() {
    sets.get("remote").set(new Addr.Bound(List.of(new Address("localhost", 1), new Address("127.0.0.1", 2))));

    BoundName b = only(bind("/svc/remote", Transformer.localhost(Path.read("/%/io.l5d.localhost"))));

    assertThat(b.addr().get())
        .isEqualTo(new Addr.Bound(List.of(new Address("localhost", 1), new Address("127.0.0.1", 2))));
  }

  @Test
  void specificHostKeepsOnlyTheNamedHost() {
    BoundName b = only(bind("/svc/users", Transformer.specificHost(Path.read("/%/io.l5d.specificHost"), "192.0.2.9")));

    assertThat(b.addr().get()).isEqualTo(new Addr.Bound(List.of(new Address("192.0.2.9", 8081))));
  }

  @Test
  void transformersApplyInOrderEachPrefixingWhatTheLastProduced() {
    BoundName b =
        only(
            bind(
                "/svc/users",
                Transformer.specificHost(Path.read("/%/io.l5d.specificHost"), "192.0.2.9"),
                Transformer.port(Path.read("/%/io.l5d.port/4141"), 4141)));

    assertThat(b.id().show()).isEqualTo("/%/io.l5d.port/4141/%/io.l5d.specificHost/#/io.l5d.fs/users");
    assertThat(b.addr().get()).isEqualTo(new Addr.Bound(List.of(new Address("192.0.2.9", 4141))));
  }

  @Test
  void replacePutsTheBoundPathInPlaceOfEveryNameButLeavesNegAlone() {
    Transformer replace = Transformer.replace(Path.read("/%/io.l5d.replace"), Path.read("/$/inet/127.0.0.1/9"), interpreter);

    BoundName b = only(bind("/svc/users", replace));
    NameTree<BoundName> missing = bind("/svc/missing", replace);

    assertThat(b.id().show()).isEqualTo("/%/io.l5d.replace/$/inet/127.0.0.1/9");
    assertThat(b.addr().get()).isEqualTo(new Addr.Bound(List.of(new Address("127.0.0.1", 9))));
    assertThat(missing).isInstanceOf(NameTree.Neg.class);
  }

  @Test
  void constReplacesTheWholeTreeEvenANeg() {
    Transformer constant = Transformer.constant(Path.read("/%/io.l5d.const"), Path.read("/#/io.l5d.fs/remote"), interpreter);

    BoundName b = only(bind("/svc/missing", constant));

    assertThat(b.id().show()).isEqualTo("/%/io.l5d.const/#/io.l5d.fs/remote");
    assertThat(b.addr().get()).isEqualTo(new Addr.Bound(List.of(new Address("192.0.2.9", 8081))));
  }

  @Test
  void delegationShowsATransformationOverTheRewrittenLeaf() {
    TransformerChain chain = new TransformerChain(List.of(Transformer.port(Path.read("/%/io.l5d.port/4141"), 4141)));

    JsonNode json = NamingJson.delegateTree(chain.apply(interpreter.delegate(dtab, Path.read("/svc/users"))));

    JsonNode x = json.get("delegate");
    assertThat(x.get("type").asText()).isEqualTo("transformation");
    assertThat(x.get("path").asText()).isEqualTo("/#/io.l5d.fs/users");
    assertThat(x.get("name").asText()).isEqualTo("io.l5d.port");
    assertThat(x.get("bound").get("id").asText()).isEqualTo("/#/io.l5d.fs/users");
    assertThat(x.get("bound").get("addr").get("addrs").get(0).get("port").asInt()).isEqualTo(8080);
    JsonNode after = x.get("tree");
    assertThat(after.get("type").asText()).isEqualTo("leaf");
    assertThat(after.get("path").asText()).isEqualTo("/%/io.l5d.port/4141/#/io.l5d.fs/users");
    assertThat(after.get("dentry").get("prefix").asText()).isEqualTo("/svc");
    assertThat(after.get("bound").get("addr").get("addrs").get(0).get("port").asInt()).isEqualTo(4141);
  }

  @Test
  void aFilteredOutLeafMakesItsTransformationNegForThePreview() {
    TransformerChain chain = new TransformerChain(List.of(Transformer.localhost(Path.read("/%/io.l5d.localhost"))));

    DelegateTree tree = chain.apply(interpreter.delegate(Dtab.read("/svc => /#/io.l5d.fs/remote | /#/io.l5d.fs/users"),
        Path.read("/svc")));

    assertThat(tree.outcome()).isEqualTo(DelegateTree.Outcome.SUCCESS);
    DelegateTree.Alt alt = (DelegateTree.Alt) tree;
    assertThat(alt.trees()).allMatch(t -> t instanceof DelegateTree.Transformation);
    assertThat(alt.trees().get(0).outcome()).isEqualTo(DelegateTree.Outcome.NEG);
    assertThat(DelegateTree.primaryIndex(alt)).isEqualTo(1);
  }

  @Test
  void constInTheDelegationTreeHasNoBoundNameBefore() {
    TransformerChain chain =
        new TransformerChain(
            List.of(Transformer.constant(Path.read("/%/io.l5d.const"), Path.read("/$/inet/127.0.0.1/9"), interpreter)));

    JsonNode json = NamingJson.delegateTree(chain.apply(interpreter.delegate(dtab, Path.read("/svc/missing"))));

    assertThat(json.get("type").asText()).isEqualTo("transformation");
    assertThat(json.has("bound")).isFalse();
    assertThat(json.get("tree").get("bound").get("id").asText()).isEqualTo("/%/io.l5d.const/$/inet/127.0.0.1/9");
  }
}
