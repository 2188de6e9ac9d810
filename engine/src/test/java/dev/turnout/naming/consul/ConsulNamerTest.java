package dev.turnout.naming.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.Name;
import dev.turnout.naming.Var;
import dev.turnout.naming.consul.ConsulStandIn.Instance;
import dev.turnout.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The consul namer's answers, read from its bound variables, against the Consul stand-in. */
class ConsulNamerTest {
  private final ConsulStandIn consul = new ConsulStandIn("dc1");
  private ConsulNamer namer;

  @AfterEach
  void stop() {
    if (namer != null) {
      namer.close();
    }
    consul.close();
  }

  private ConsulSettings settings() {
    return ConsulSettings.defaults(consul.host(), consul.port()).withWait(Duration.ofSeconds(60));
  }

  private Var<Addr> bind(ConsulSettings s, String path) {
    if (namer == null) {
      namer = new ConsulNamer(s, ConsulNamer.DEFAULT_PREFIX);
    }
    NameTree<Name> tree = namer.lookup(Path.read(path));
    assertThat(tree).isInstanceOf(NameTree.Leaf.class);
    return ((Name.Resolved) ((NameTree.Leaf<Name>) tree).value()).bound().addr();
  }

  private static Addr.Bound awaitBound(Var<Addr> addr) {
    Await.until("the name is bound", Duration.ofSeconds(5), () -> addr.get() instanceof Addr.Bound);
    return (Addr.Bound) addr.get();
  }

  @Test
  void anInstanceTakesTheHighestWeightAmongItsTags() {
    consul.register(
        "dc1", "web",
        Instance.at("n1", 8001).tagged("primary", "experimental"),
        Instance.at("n2", 8002).tagged("experimental"),
        Instance.at("n3", 8003));

    Addr.Bound bound = awaitBound(bind(settings().withWeights(Map.of("primary", 5.0, "experimental", 0.1)), "/dc1/web"));

    assertThat(bound.addresses())
        .extracting(Address::port, Address::weight)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(8001, 5.0),
            org.assertj.core.groups.Tuple.tuple(8002, 0.1),
            org.assertj.core.groups.Tuple.tuple(8003, 1.0));
  }

  @Test
  void theServiceAddressIsPreferredUnlessToldOtherwise() {
    consul.register("dc1", "web", Instance.at("n1", 8001).serviceAddress("127.0.0.9"));

    Addr.Bound preferred = awaitBound(bind(settings(), "/dc1/web"));
    namer.close();
    namer = null;
    Addr.Bound nodes = awaitBound(bind(settings().withPreferServiceAddress(false), "/dc1/web"));

    assertThat(preferred.addresses()).extracting(Address::host).containsExactly("127.0.0.9");
    assertThat(nodes.addresses()).extracting(Address::host).containsExactly("127.0.0.1");
  }

  @Test
  void setHostPutsTheServicesDnsNameInTheAuthorityMetadata() {
    consul.register("dc1", "web", Instance.at("n1", 8001).tagged("canary"));

    Addr.Bound untagged = awaitBound(bind(settings().withSetHost(true), "/.local/web"));
    namer.close();
    namer = null;
    Addr.Bound tagged = awaitBound(bind(settings().withSetHost(true).withIncludeTag(true), "/dc1/Canary/WEB"));

    assertThat(untagged.meta()).containsEntry("authority", "web.service.dc1.consul");
    assertThat(tagged.meta()).containsEntry("authority", "canary.web.service.dc1.consul");
  }

  @Test
  void consistencyModeAndTokenGoOnEveryQuery() {
    consul.register("dc1", "web", Instance.at("n1", 8001));

    awaitBound(bind(settings().withConsistency(ConsulSettings.Consistency.STALE).withToken("t"), "/dc1/web"));

    assertThat(consul.seen())
        .allSatisfy(s -> {
          assertThat(s.query()).containsKey("stale");
          assertThat(s.token()).hasValue("t");
        });
  }

  @Test
  void aServiceWithNoInstancesIsNegAndItsLookupsAnswerNeg() {
    Var<Addr> addr = bind(settings(), "/dc1/nothing");

    Await.until("Consul's empty answer arrives", Duration.ofSeconds(5), () -> addr.get() instanceof Addr.Neg);

    assertThat(namer.lookup(Path.read("/dc1/nothing"))).isEqualTo(NameTree.neg());
    long generation = namer.generation();
    consul.register("dc1", "nothing", Instance.at("n1", 8001));
    Await.until("the service appears", Duration.ofSeconds(5), () -> addr.get() instanceof Addr.Bound);
    assertThat(namer.generation()).isGreaterThan(generation);
    assertThat(namer.lookup(Path.read("/dc1/nothing/rest"))).isInstanceOf(NameTree.Leaf.class);
  }

  @Test
  void namesOfServicesConsulDoesNotListCostNoQuery() {
    consul.register("dc1", "web", Instance.at("n1", 8001).tagged("canary"));
    namer = new ConsulNamer(settings().withIncludeTag(true), ConsulNamer.DEFAULT_PREFIX);
    List<Path> madeUp = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      madeUp.add(Path.read("/dc1/canary/made-up-" + i));
    }
    madeUp.add(Path.read("/dc1/no-such-tag/web"));
    madeUp.forEach(namer::lookup);

    Var<Addr> real = bind(settings(), "/dc1/canary/web");
    awaitBound(real);
    Await.until("every made-up name is Neg", Duration.ofSeconds(5),
        () -> madeUp.stream().allMatch(p -> namer.lookup(p).equals(NameTree.neg())));

    assertThat(consul.serviceQueries()).allSatisfy(s -> assertThat(s.path()).isEqualTo("/v1/catalog/service/web"));
    consul.register("dc1", "made-up-7", Instance.at("n2", 8002).tagged("canary"));
    Await.until("the service appears", Duration.ofSeconds(5),
        () -> namer.lookup(madeUp.get(7)) instanceof NameTree.Leaf<Name> l
            && ((Name.Resolved) l.value()).bound().addr().get() instanceof Addr.Bound);
  }

  @Test
  void theSameServiceSharesOneVariableAndKeepsTheResidual() {
    consul.register("dc1", "web", Instance.at("n1", 8001));
    namer = new ConsulNamer(settings(), ConsulNamer.DEFAULT_PREFIX);

    NameTree<Name> first = namer.lookup(Path.read("/dc1/web/v1/users"));
    NameTree<Name> second = namer.lookup(Path.read("/dc1/WEB"));

    var a = ((Name.Resolved) ((NameTree.Leaf<Name>) first).value()).bound();
    var b = ((Name.Resolved) ((NameTree.Leaf<Name>) second).value()).bound();
    assertThat(a.id()).isEqualTo(Path.read("/#/io.l5d.consul/dc1/web"));
    assertThat(a.residual()).isEqualTo(Path.read("/v1/users"));
    assertThat(a.addr()).isSameAs(b.addr());
  }

  @Test
  void anAgentThatNeverAnswersLeavesLookupsPendingWithoutBlocking() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      namer = new ConsulNamer(ConsulSettings.defaults("127.0.0.1", silent.getLocalPort()), ConsulNamer.DEFAULT_PREFIX);

      long start = System.nanoTime();
      NameTree<Name> tree = namer.lookup(Path.read("/dc1/web"));
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).isLessThan(Duration.ofSeconds(1)); // a lookup that waited would never return
      assertThat(((Name.Resolved) ((NameTree.Leaf<Name>) tree).value()).bound().addr().get()).isEqualTo(new Addr.Pending());
    }
  }

  @Test
  void closingStopsTheNamersThread() {
    consul.register("dc1", "web", Instance.at("n1", 8001));
    awaitBound(bind(settings(), "/dc1/web"));
    assertThat(namerThreads()).isNotEmpty();

    namer.close();

    Await.until("the namer's thread ends", Duration.ofSeconds(5), () -> namerThreads().isEmpty());
  }

  @Test
  void anAgentThatDoesNotHoldQueriesIsNotAskedInALoop() {
    consul.register("dc1", "web", Instance.at("n1", 8001));
    consul.answerWithoutHolding(true);
    awaitBound(bind(settings(), "/dc1/web"));
    long start = System.nanoTime();
    int before = consul.seen().size();

    Await.until("two seconds pass", Duration.ofSeconds(3), () -> System.nanoTime() - start > Duration.ofSeconds(2).toNanos());

    // One service and one catalog query a second at most, not thousands.
    assertThat(consul.seen().size() - before).isLessThanOrEqualTo(8);
    consul.register("dc1", "web", Instance.at("n2", 8002));
    Await.until("a change still arrives", Duration.ofSeconds(5),
        () -> ((Addr.Bound) bind(settings(), "/dc1/web").get()).addresses().get(0).port() == 8002);
  }

  @Test
  void closingAbortsTheQueryInFlight() throws Exception {
    try (ServerSocket agent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      agent.setSoTimeout(5_000);
      namer = new ConsulNamer(ConsulSettings.defaults("127.0.0.1", agent.getLocalPort()), ConsulNamer.DEFAULT_PREFIX);
      namer.lookup(Path.read("/dc1/web"));
      try (java.net.Socket held = agent.accept()) {
        held.setSoTimeout(5_000);
        java.io.InputStream in = held.getInputStream();
        byte[] request = new byte[4096];
        assertThat(in.read(request)).isPositive();

        namer.close();

        assertThat(in.read(request)).as("the connection is closed by the namer").isEqualTo(-1);
      }
    }
  }

  private static List<Thread> namerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("turnout-consul") && t.isAlive())
        .toList();
  }
}
