package dev.turnout.naming.dnssrv;

import static dev.turnout.naming.dnssrv.Dnsmasq.host;
import static dev.turnout.naming.dnssrv.Dnsmasq.srv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.NamerConfig.DnsServer;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Name;
import dev.turnout.naming.NamerStatus;
import dev.turnout.testing.Await;
import dev.turnout.testing.Cleanup;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The io.l5d.dnssrv namer against a real dnsmasq on loopback. */
class DnsSrvNamerTest {
  private static final Duration WITHIN = Duration.ofSeconds(10);
  private static final String USERS = "_http._tcp.users.test";

  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir java.nio.file.Path dir;

  private DnsSrvNamer namer(DnsServer server, Duration refresh) {
    return cleanup.add(
        new DnsSrvNamer(DnsSrvNamer.DEFAULT_PREFIX, List.of(server), refresh, Duration.ofMillis(500), Clock.systemUTC()));
  }

  private static BoundName bound(NameTree<Name> tree) {
    assertThat(tree).isInstanceOf(NameTree.Leaf.class);
    return ((Name.Resolved) ((NameTree.Leaf<Name>) tree).value()).bound();
  }

  private static Set<String> hostPorts(Addr addr) {
    assertThat(addr).isInstanceOf(Addr.Bound.class);
    return ((Addr.Bound) addr).addresses().stream().map(Address::hostPort).collect(Collectors.toSet());
  }

  private static Set<String> awaitBound(BoundName name) {
    Await.until("a bound answer for " + name, WITHIN, () -> name.addr().get() instanceof Addr.Bound);
    return hostPorts(name.addr().get());
  }

  @Test
  void srvNameBindsToItsTargetsAddressesWithTheRestAsResidual() {
    Dnsmasq dns =
        cleanup.add(
            Dnsmasq.start(
                dir,
                List.of(
                    srv(USERS, "a.test", 8081, 0, 1), srv(USERS, "b.test", 8082, 0, 1),
                    host("a.test", "127.0.0.11"), host("b.test", "127.0.0.12"))));
    DnsSrvNamer namer = namer(dns.server(), Duration.ofSeconds(5));

    BoundName name = bound(namer.lookup(Path.of(USERS, "v1", "api")));

    assertThat(name.id()).isEqualTo(Path.of("#", "io.l5d.dnssrv", USERS));
    assertThat(name.residual()).isEqualTo(Path.of("v1", "api"));
    assertThat(awaitBound(name)).containsExactlyInAnyOrder("127.0.0.11:8081", "127.0.0.12:8082");
    assertThat(namer.status()).get().satisfies(s -> {
      assertThat(s.source()).isEqualTo("dns SRV via 127.0.0.1:" + dns.port());
      assertThat(s.lastUpdate()).isPresent();
      assertThat(s.stale()).isFalse();
    });
  }

  @Test
  void changedRecordsUpdateTheSameVariableOnTheNextRefresh() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, List.of(srv(USERS, "a.test", 8081, 0, 1), host("a.test", "127.0.0.11"))));
    DnsSrvNamer namer = namer(dns.server(), Duration.ofMillis(200));
    BoundName name = bound(namer.lookup(Path.of(USERS)));
    assertThat(awaitBound(name)).containsExactly("127.0.0.11:8081");
    long generation = namer.generation();

    dns.restart(List.of(srv(USERS, "b.test", 9090, 0, 1), host("b.test", "127.0.0.12")));

    Await.until("the new target", WITHIN, () -> hostPorts(name.addr().get()).equals(Set.of("127.0.0.12:9090")));
    assertThat(bound(namer.lookup(Path.of(USERS))).addr()).isSameAs(name.addr());
    assertThat(namer.generation()).isEqualTo(generation);
  }

  @Test
  void targetAddressChangeInTheServersHostsFilesIsFollowed() throws Exception {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, List.of(srv(USERS, "a.test", 8081, 0, 1))));
    Files.writeString(dns.hostsDir().resolve("hosts"), "127.0.0.21 a.test\n");
    DnsSrvNamer namer = namer(dns.server(), Duration.ofMillis(200));
    BoundName name = bound(namer.lookup(Path.of(USERS)));
    Await.until("the first address", WITHIN, () -> name.addr().get() instanceof Addr.Bound b
        && hostPorts(b).equals(Set.of("127.0.0.21:8081")));

    Files.writeString(dns.hostsDir().resolve("hosts"), "127.0.0.22 a.test\n");

    Await.until("the moved address", WITHIN, () -> hostPorts(name.addr().get()).equals(Set.of("127.0.0.22:8081")));
  }

  @Test
  void unknownNameIsNegAndLookupThenAnswersNegSoAnAltFallsBack() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, List.of(srv(USERS, "a.test", 8081, 0, 1), host("a.test", "127.0.0.11"))));
    DnsSrvNamer namer = namer(dns.server(), Duration.ofSeconds(5));
    long generation = namer.generation();

    BoundName first = bound(namer.lookup(Path.of("_http._tcp.nobody.test")));
    Await.until("NXDOMAIN", WITHIN, () -> first.addr().get() instanceof Addr.Neg);

    assertThat(namer.lookup(Path.of("_http._tcp.nobody.test"))).isEqualTo(NameTree.neg());
    assertThat(namer.generation()).isGreaterThan(generation);
  }

  @Test
  void nameWhoseRecordsGoAwayTurnsNeg() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, List.of(srv(USERS, "a.test", 8081, 0, 1), host("a.test", "127.0.0.11"))));
    DnsSrvNamer namer = namer(dns.server(), Duration.ofMillis(200));
    BoundName name = bound(namer.lookup(Path.of(USERS)));
    awaitBound(name);

    dns.restart(List.of(host("a.test", "127.0.0.11")));

    Await.until("Neg once the records are gone", WITHIN, () -> name.addr().get() instanceof Addr.Neg);
    assertThat(namer.lookup(Path.of(USERS))).isEqualTo(NameTree.neg());
    assertThat(namer.status().get().stale()).isFalse();
  }

  @Test
  void serverGoneKeepsTheLastEndpointsAndSaysStaleUntilItAnswersAgain() {
    List<String> records = List.of(srv(USERS, "a.test", 8081, 0, 1), host("a.test", "127.0.0.11"));
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, records));
    DnsSrvNamer namer = namer(dns.server(), Duration.ofMillis(200));
    BoundName name = bound(namer.lookup(Path.of(USERS)));
    awaitBound(name);

    dns.stop();

    Await.until("stale", WITHIN, () -> namer.status().get().stale());
    NamerStatus status = namer.status().get();
    assertThat(status.lastError()).get().asString().contains("SRV lookup of " + USERS + " failed");
    assertThat(hostPorts(name.addr().get())).containsExactly("127.0.0.11:8081");
    assertThat(bound(namer.lookup(Path.of(USERS))).addr().get()).isEqualTo(name.addr().get());

    dns.restart(records);

    Await.until("fresh again", WITHIN, () -> !namer.status().get().stale());
    assertThat(namer.status().get().lastError()).isEmpty();
  }

  @Test
  void nameNeverAnsweredFailsWithTheReason() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, List.of()));
    dns.stop();
    DnsSrvNamer namer = namer(dns.server(), Duration.ofSeconds(5));

    BoundName name = bound(namer.lookup(Path.of(USERS)));

    Await.until("failed", WITHIN, () -> name.addr().get() instanceof Addr.Failed);
    assertThat(((Addr.Failed) name.addr().get()).message()).startsWith("SRV lookup of " + USERS + " failed: ");
    assertThat(namer.status().get().stale()).isTrue();
  }

  @Test
  void labelThatIsNotADnsNameFailsSayingWhyWithoutAskingDns() {
    DnsSrvNamer namer = namer(new DnsServer("127.0.0.1", 9), Duration.ofSeconds(5));

    BoundName name = bound(namer.lookup(Path.of("users!")));

    assertThat(name.addr().get())
        .isEqualTo(new Addr.Failed("'users!' is not a DNS name for an SRV lookup: character '!' at 5 is not a letter, digit, '-', '_' or '.'"));
    assertThat(namer.status().get().lastError()).isEmpty();
  }

  @Test
  void emptyPathIsNeg() {
    DnsSrvNamer namer = namer(new DnsServer("127.0.0.1", 9), Duration.ofSeconds(5));

    assertThat(namer.lookup(Path.EMPTY)).isEqualTo(NameTree.neg());
  }

  @Test
  void onlyTheLowestPriorityGroupIsUsedWithSrvWeights() {
    Dnsmasq dns =
        cleanup.add(
            Dnsmasq.start(
                dir,
                List.of(
                    srv(USERS, "a.test", 8081, 10, 1), srv(USERS, "b.test", 8082, 10, 3),
                    srv(USERS, "c.test", 8083, 20, 1),
                    host("a.test", "127.0.0.11"), host("b.test", "127.0.0.12"), host("c.test", "127.0.0.13"))));
    DnsSrvNamer namer = namer(dns.server(), Duration.ofSeconds(5));

    BoundName name = bound(namer.lookup(Path.of(USERS)));
    awaitBound(name);

    assertThat(((Addr.Bound) name.addr().get()).addresses())
        .containsExactly(
            new Address("127.0.0.11", 8081, 1.0, java.util.Map.of()),
            new Address("127.0.0.12", 8082, 3.0, java.util.Map.of()));
  }

  @Test
  void closingStopsTheNamersThread() throws Exception {
    DnsSrvNamer namer = new DnsSrvNamer(DnsSrvNamer.DEFAULT_PREFIX, List.of(new DnsServer("127.0.0.1", 9)),
        Duration.ofMillis(100), Duration.ofMillis(100), Clock.systemUTC());
    namer.lookup(Path.of(USERS));

    namer.close();

    Await.until("no turnout-dnssrv thread", WITHIN, () -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("turnout-dnssrv /#/io.l5d.dnssrv") && t.isAlive()));
  }

  @Test
  void targetMissingFromTheAdditionalSectionIsAskedForAAndAaaaSplittingItsWeight() {
    // dnsmasq gives no additional records for a target that is an alias, so the namer asks for them.
    Dnsmasq dns =
        cleanup.add(
            Dnsmasq.start(
                dir,
                List.of(
                    srv(USERS, "alias.test", 8081, 0, 4), "cname=alias.test,a.test",
                    "host-record=a.test,127.0.0.11,::1")));
    DnsSrvNamer namer = namer(dns.server(), Duration.ofSeconds(5));

    BoundName name = bound(namer.lookup(Path.of(USERS)));
    awaitBound(name);

    assertThat(((Addr.Bound) name.addr().get()).addresses())
        .containsExactlyInAnyOrder(
            new Address("127.0.0.11", 8081, 2.0, java.util.Map.of()),
            new Address("0:0:0:0:0:0:0:1", 8081, 2.0, java.util.Map.of()));
  }

  @Test
  void garbageFromTheServerKeepsTheLastEndpoints() throws Exception {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, List.of(srv(USERS, "a.test", 8081, 0, 1), host("a.test", "127.0.0.11"))));
    DnsSrvNamer namer = namer(dns.server(), Duration.ofMillis(200));
    BoundName name = bound(namer.lookup(Path.of(USERS)));
    awaitBound(name);

    dns.stop();
    cleanup.add(UdpStandIn.answering(dns.port(), query -> "not a DNS message".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));

    Await.until("stale", WITHIN, () -> namer.status().get().stale());
    assertThat(hostPorts(name.addr().get())).containsExactly("127.0.0.11:8081");
  }

  @Test
  void serverThatNeverAnswersIsATimeoutWhileLookupAnswersAtOnce() throws Exception {
    UdpStandIn silent = cleanup.add(UdpStandIn.answering(0, query -> null));
    DnsSrvNamer namer = namer(new DnsServer("127.0.0.1", silent.port()), Duration.ofSeconds(5));

    long start = System.nanoTime();
    BoundName name = bound(namer.lookup(Path.of(USERS)));
    Duration lookup = Duration.ofNanos(System.nanoTime() - start);

    assertThat(lookup).isLessThan(Duration.ofSeconds(1)); // a lookup that waited would take the 5 s timeout
    assertThat(name.addr().get()).isEqualTo(new Addr.Pending());
    Await.until("failed after the timeout", WITHIN, () -> name.addr().get() instanceof Addr.Failed);
    assertThat(((Addr.Failed) name.addr().get()).message()).contains("SRV lookup of " + USERS + " failed").containsIgnoringCase("time");
  }

  @Test
  void answerTooBigForADatagramIsFetchedOverTcpAndStillFollowsChanges() throws Exception {
    // 100 records do not fit 1,232 bytes, so each refresh goes over TCP; dnsmasq answers a kept-open
    // TCP connection from the records of when it was opened, so this fails unless each query opens its own.
    List<String> records = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      records.add(srv(USERS, "h" + i + ".test", 10_000 + i, 0, 1));
    }
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, records));
    Files.writeString(dns.hostsDir().resolve("hosts"), hosts("127.0.1."));
    DnsSrvNamer namer = namer(dns.server(), Duration.ofMillis(200));
    BoundName name = bound(namer.lookup(Path.of(USERS)));
    Await.until("100 endpoints on 127.0.1.x", WITHIN, () -> allOn(name.addr().get(), "127.0.1."));

    Files.writeString(dns.hostsDir().resolve("hosts"), hosts("127.0.2."));

    Await.until("100 endpoints on 127.0.2.x", WITHIN, () -> allOn(name.addr().get(), "127.0.2."));
  }

  private static String hosts(String net) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      b.append(net).append(i + 1).append(" h").append(i).append(".test\n");
    }
    return b.toString();
  }

  private static boolean allOn(Addr a, String net) {
    return a instanceof Addr.Bound b && b.addresses().size() == 100
        && b.addresses().stream().allMatch(e -> e.host().startsWith(net));
  }

  @Test
  void serverNamedByAnUnknownHostIsSkippedWhileAnotherAnswers() {
    Dnsmasq dns = cleanup.add(Dnsmasq.start(dir, List.of(srv(USERS, "a.test", 8081, 0, 1), host("a.test", "127.0.0.11"))));
    DnsSrvNamer namer =
        cleanup.add(
            new DnsSrvNamer(DnsSrvNamer.DEFAULT_PREFIX, List.of(new DnsServer("no-such-dns-server.invalid", 53), dns.server()),
                Duration.ofSeconds(5), Duration.ofMillis(500), Clock.systemUTC()));

    BoundName name = bound(namer.lookup(Path.of(USERS)));

    // Longer than the others: the unknown host is looked up in the machine's own DNS first.
    Await.until("bound", Duration.ofSeconds(30), () -> name.addr().get() instanceof Addr.Bound);
    assertThat(hostPorts(name.addr().get())).containsExactly("127.0.0.11:8081");
  }
}
