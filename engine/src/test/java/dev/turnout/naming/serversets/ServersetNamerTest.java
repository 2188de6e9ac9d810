package dev.turnout.naming.serversets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Name;
import dev.turnout.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The namer against a real ZooKeeper server: what binds, what is left out, and how changes show. */
class ServersetNamerTest {
  private static final Duration WITHIN = Duration.ofSeconds(10);
  private Registry zk;
  private ServersetNamer namer;

  @BeforeEach
  void start() throws Exception {
    zk = new Registry();
    namer = new ServersetNamer(zk.connectString(), ServersetNamer.DEFAULT_PREFIX, Duration.ofSeconds(5), Clock.systemUTC());
  }

  @AfterEach
  void stop() throws Exception {
    namer.close();
    zk.close();
  }

  /** The bound name {@code path} settles on once ZooKeeper has answered every step of the lookup. */
  private NameTree<Name> settled(String path) {
    Path p = Path.read(path);
    // Settled: Neg, or a leaf with an answer that keeps it (a leaf read Pending may turn Neg meanwhile).
    Await.until(path + " settles", WITHIN, () -> {
      NameTree<Name> t = namer.lookup(p);
      return !(t instanceof NameTree.Leaf<Name> leaf)
          || bound(leaf).addr().get() instanceof Addr.Bound
          || bound(leaf).addr().get() instanceof Addr.Failed;
    });
    return namer.lookup(p);
  }

  private static BoundName bound(NameTree<Name> tree) {
    assertThat(tree).isInstanceOf(NameTree.Leaf.class);
    return ((Name.Resolved) ((NameTree.Leaf<Name>) tree).value()).bound();
  }

  private static List<Integer> ports(BoundName b) {
    Addr a = b.addr().get();
    assertThat(a).isInstanceOf(Addr.Bound.class);
    return ((Addr.Bound) a).addresses().stream().map(Address::port).sorted().toList();
  }

  @Test
  void aliveMembersAreTheEndpointsAndOthersAreLeftOut() throws Exception {
    zk.join("/discovery/prod/users", 8001);
    zk.join("/discovery/prod/users", 8002);
    zk.join("/discovery/prod/users", Registry.json("127.0.0.1", 8003, "DEAD", Map.of(), null));
    zk.join("/discovery/prod/users", Registry.json("127.0.0.1", 8004, "STARTING", Map.of(), null));

    BoundName users = bound(settled("/discovery/prod/users"));

    assertThat(users.id()).isEqualTo(Path.read("/#/io.l5d.serversets/discovery/prod/users"));
    assertThat(users.residual()).isEqualTo(Path.EMPTY);
    assertThat(ports(users)).containsExactly(8001, 8002);
  }

  @Test
  void theLastLabelSelectsAnAdditionalEndpointAndAShard() throws Exception {
    zk.join("/prod/users", Registry.json("127.0.0.1", 8001, "ALIVE", Map.of("admin", 9001), 0));
    zk.join("/prod/users", Registry.json("127.0.0.1", 8002, "ALIVE", Map.of("admin", 9002), 1));
    zk.join("/prod/users", Registry.json("127.0.0.1", 8003, "ALIVE", Map.of(), 1));

    assertThat(ports(bound(settled("/prod/users:admin")))).containsExactly(9001, 9002);
    assertThat(ports(bound(settled("/prod/users#1")))).containsExactly(8002, 8003);
    assertThat(ports(bound(settled("/prod/users:admin#1")))).containsExactly(9002);
    assertThat(bound(settled("/prod/users:admin#1")).id()).isEqualTo(Path.read("/#/io.l5d.serversets/prod/users:admin#1"));
    assertThat(settled("/prod/users:nope")).isEqualTo(NameTree.neg());
  }

  @Test
  void aLongerNameFallsBackToItsServersetWithTheRestAsResidual() throws Exception {
    zk.join("/discovery/prod/users", 8001);

    BoundName b = bound(settled("/discovery/prod/users/v1/get"));

    assertThat(b.id()).isEqualTo(Path.read("/#/io.l5d.serversets/discovery/prod/users"));
    assertThat(b.residual()).isEqualTo(Path.read("/v1/get"));
    assertThat(ports(b)).containsExactly(8001);
  }

  @Test
  void aServersetWithoutMembersIsNegUntilOneJoinsWhichBumpsTheGeneration() throws Exception {
    assertThat(settled("/discovery/prod/nobody")).isEqualTo(NameTree.neg());
    AtomicInteger heard = new AtomicInteger();
    namer.onChange(heard::incrementAndGet);
    long before = namer.generation();

    zk.join("/discovery/prod/nobody", 8001);

    Await.until("the name binds", WITHIN, () -> namer.lookup(Path.read("/discovery/prod/nobody")) instanceof NameTree.Leaf);
    assertThat(namer.generation()).isGreaterThan(before);
    assertThat(heard.get()).isPositive();
    assertThat(ports(bound(settled("/discovery/prod/nobody")))).containsExactly(8001);
  }

  @Test
  void membersJoiningAndLeavingUpdateTheSameVariable() throws Exception {
    String first = zk.join("/prod/users", 8001);
    BoundName b = bound(settled("/prod/users"));

    zk.join("/prod/users", 8002);
    Await.until("the second member shows", WITHIN, () -> ports(b).equals(List.of(8001, 8002)));
    zk.leave(first);
    Await.until("the first member is gone", WITHIN, () -> ports(b).equals(List.of(8002)));

    assertThat(bound(namer.lookup(Path.read("/prod/users"))).addr()).isSameAs(b.addr());
  }

  @Test
  void aBurstOfJoinsAndLeavesWrittenWithoutWaitingEndsWithExactlyTheMembersLeft() throws Exception {
    List<String> first = new java.util.ArrayList<>();
    for (int port = 9000; port < 9200; port++) {
      first.add(zk.join("/prod/users", port));
    }
    BoundName b = bound(settled("/prod/users"));
    Await.until("200 members show", WITHIN, () -> ports(b).size() == 200);

    // many listings and member reads overlap: every listing sees some members whose reads are in flight
    java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(400);
    for (int i = 0; i < 200; i++) {
      zk.announcer.delete().inBackground((c, e) -> written.countDown()).forPath(first.get(i));
      byte[] data = Registry.json("127.0.0.1", 10_000 + i, "ALIVE", Map.of(), null).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      zk.announcer.create().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL)
          .inBackground((c, e) -> written.countDown()).forPath("/prod/users/member_", data);
    }
    assertThat(written.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    List<Integer> expected = java.util.stream.IntStream.range(10_000, 10_200).boxed().toList();
    Await.until("exactly the new members, last " + b.addr().get(), WITHIN, () -> ports(b).equals(expected));
  }

  @Test
  void malformedJobSyntaxBindsToAFailureSayingWhy() {
    BoundName b = bound(namer.lookup(Path.read("/prod/users:http:extra")));

    assertThat(b.addr().get()).isInstanceOf(Addr.Failed.class);
    assertThat(((Addr.Failed) b.addr().get()).message())
        .contains("/#/io.l5d.serversets/prod/users:http:extra")
        .contains("invalid job syntax: users:http:extra");
    assertThat(((Addr.Failed) bound(namer.lookup(Path.read("/prod/users#-1"))).addr().get()).message())
        .contains("whole number");
    assertThat(((Addr.Failed) bound(namer.lookup(Path.of("prod", ".."))).addr().get()).message())
        .contains("not a ZooKeeper path");
  }

  @Test
  void garbageMemberDataKeepsTheLastReadingAndSaysWhy() throws Exception {
    String member = zk.join("/prod/users", 8001);
    BoundName b = bound(settled("/prod/users"));

    zk.rewrite(member, "{not json");
    Await.until("the error is reported", WITHIN, () -> namer.status().orElseThrow().lastError().isPresent());

    assertThat(namer.status().orElseThrow().lastError().get()).contains(member).contains("not JSON");
    assertThat(ports(b)).containsExactly(8001);
    zk.rewrite(member, Registry.json("127.0.0.1", 8009, "ALIVE", Map.of(), null));
    Await.until("a good rewrite is followed", WITHIN, () -> ports(b).equals(List.of(8009)));
  }

  @Test
  void statusNamesTheEnsembleAndIsFreshWhileConnected() throws Exception {
    zk.join("/prod/users", 8001);
    settled("/prod/users");

    var status = namer.status().orElseThrow();

    assertThat(status.source()).isEqualTo("zookeeper " + zk.connectString());
    assertThat(status.stale()).isFalse();
    assertThat(status.lastUpdate()).isPresent();
    assertThat(status.lastError()).isEmpty();
  }

  @Test
  void closingStopsItsThreads() {
    settled("/prod/users");

    namer.close();

    Await.until("the namer's threads end", WITHIN, () -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("turnout-serversets") && t.isAlive()));
  }
}
