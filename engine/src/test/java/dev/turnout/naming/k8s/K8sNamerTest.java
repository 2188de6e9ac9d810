package dev.turnout.naming.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.Name;
import dev.turnout.naming.NamerStatus;
import dev.turnout.naming.Var;
import dev.turnout.testing.Await;
import dev.turnout.testing.Cleanup;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** io.l5d.k8s against a Kubernetes API stand-in ({@link K8sStandIn}): lists, watches, and what a name binds to. */
class K8sNamerTest {
  private static final Duration SOON = Duration.ofSeconds(10);

  @RegisterExtension final Cleanup cleanup = new Cleanup();
  private final K8sStandIn api = cleanup.add(K8sStandIn.start());

  private K8sNamer namer(Optional<String> labelKey) {
    return cleanup.add(K8sNamer.plain("127.0.0.1", api.port(), K8sNamer.DEFAULT_PREFIX, labelKey, Clock.systemUTC()));
  }

  private static Var<Addr> addr(K8sNamer namer, String path) {
    NameTree<Name> tree = namer.lookup(Path.read(path));
    assertThat(tree).isInstanceOf(NameTree.Leaf.class);
    Name name = ((NameTree.Leaf<Name>) tree).value();
    return ((Name.Resolved) name).bound().addr();
  }

  private static Set<String> hostPorts(Addr addr) {
    return addr instanceof Addr.Bound b
        ? b.addresses().stream().map(Address::hostPort).collect(Collectors.toSet())
        : Set.of("<" + addr + ">");
  }

  private static void awaitHosts(Var<Addr> var, String... expected) {
    Await.until("endpoints " + Set.of(expected) + ", last " + var.get(), SOON, () -> hostPorts(var.get()).equals(Set.of(expected)));
  }

  @Test
  void aNamedPortBindsTheReadyAddressesOnlyAndFollowsChanges() {
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.1", "10.1.0.2"), List.of("10.1.0.9"), Map.of("http", 8080, "admin", 9990));
    K8sNamer namer = namer(Optional.empty());

    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitHosts(http, "10.1.0.1:8080", "10.1.0.2:8080");
    assertThat(((Addr.Bound) http.get()).addresses().get(0).meta()).containsKey("nodeName");

    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.3"), List.of("10.1.0.1"), Map.of("http", 8080));
    awaitHosts(http, "10.1.0.3:8080");
    assertThat(addr(namer, "/prod/http/users")).isSameAs(http);
    assertThat(api.requests()).contains("GET /api/v1/namespaces/prod/endpoints/users");
  }

  @Test
  void theIdIsTheLowerCasedNameAndTheRestIsResidual() {
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.1"), List.of(), Map.of("http", 8080));
    K8sNamer namer = namer(Optional.empty());

    NameTree<Name> tree = namer.lookup(Path.read("/Prod/HTTP/Users/v1/list"));

    var bound = ((Name.Resolved) ((NameTree.Leaf<Name>) tree).value()).bound();
    assertThat(bound.id().show()).isEqualTo("/#/io.l5d.k8s/prod/http/users");
    assertThat(bound.residual().show()).isEqualTo("/v1/list");
    awaitHosts(bound.addr(), "10.1.0.1:8080");
  }

  @Test
  void aPortNumberFollowsTheServicePortToItsTarget() {
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.1"), List.of(), Map.of("http", 8080));
    api.service("prod", "users", 80, "http");
    api.service("prod", "users", 80, "http");
    K8sNamer namer = namer(Optional.empty());

    Var<Addr> byNumber = addr(namer, "/prod/80/users");
    awaitHosts(byNumber, "10.1.0.1:8080");

    api.service("prod", "users", 80, 7070);
    awaitHosts(byNumber, "10.1.0.1:7070");
    Await.until("a port the Service lacks is Neg", SOON, () -> addr(namer, "/prod/81/users").get() instanceof Addr.Neg);
  }

  @Test
  void labelSelectorTakesOneMoreLabelAndKeepsOnlyObjectsWithThatValue() {
    api.endpoints("prod", "users", Map.of("version", "v2"), List.of("10.1.0.2"), List.of(), Map.of("http", 8080));
    K8sNamer namer = namer(Optional.of("version"));

    awaitHosts(addr(namer, "/prod/http/users/v2"), "10.1.0.2:8080");
    Await.until("another value binds to nothing", SOON, () -> addr(namer, "/prod/http/users/v1").get() instanceof Addr.Neg);
    assertThat(namer.lookup(Path.read("/prod/http/users"))).isEqualTo(NameTree.neg());
  }

  @Test
  void endpointSlicesWinOverEndpointsAndTheirUnreadyEndpointsAreLeftOut() {
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.1"), List.of(), Map.of("http", 8080));
    api.slice("prod", "users-a", "users", Map.of(), List.of("10.2.0.1"), List.of("10.2.0.9"), Map.of("http", 8080));
    api.slice("prod", "users-b", "users", Map.of(), List.of("10.2.0.2"), List.of(), Map.of("http", 8081));
    K8sNamer namer = namer(Optional.empty());

    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitHosts(http, "10.2.0.1:8080", "10.2.0.2:8081");

    api.slice("prod", "users-b", "users", Map.of(), List.of("10.2.0.3"), List.of("10.2.0.2"), Map.of("http", 8081));
    awaitHosts(http, "10.2.0.1:8080", "10.2.0.3:8081");
    assertThat(api.requests())
        .anyMatch(r -> r.startsWith("GET /apis/discovery.k8s.io/v1/namespaces/prod/endpointslices?labelSelector=kubernetes.io/service-name=users"));
  }

  @Test
  void anUnknownServiceOrPortIsNegAndAMalformedNameSaysWhy() {
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.1"), List.of(), Map.of("http", 8080));
    K8sNamer namer = namer(Optional.empty());

    Await.until("unknown service", SOON, () -> addr(namer, "/prod/http/nobody").get() instanceof Addr.Neg);
    Await.until("unknown port", SOON, () -> addr(namer, "/prod/grpc/users").get() instanceof Addr.Neg);
    assertThat(namer.lookup(Path.read("/prod/http"))).isEqualTo(NameTree.neg());
    assertThat(addr(namer, "/prod_ns/http/users").get())
        .isEqualTo(new Addr.Failed("io.l5d.k8s: 'prod_ns' cannot be a Kubernetes namespace (lower-case letters, digits and '-', at most 63)"));
    assertThat(addr(namer, "/prod/a-very-long-port-name/users").get()).isInstanceOf(Addr.Failed.class);
    assertThat(((Addr.Failed) addr(namer, "/prod/0/users").get()).message()).contains("'0' is neither a port number");
  }

  @Test
  void aWatchAnsweredGoneIsFollowedByAFreshList() {
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.1"), List.of(), Map.of("http", 8080));
    api.expireNextWatch("/api/v1/watch/namespaces/prod/endpoints/users");
    K8sNamer namer = namer(Optional.empty());
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitHosts(http, "10.1.0.1:8080");

    Await.until(
        "a second list after the 410",
        SOON,
        () -> api.requests().stream().filter(r -> r.equals("GET /api/v1/namespaces/prod/endpoints/users")).count() >= 2);
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.2"), List.of(), Map.of("http", 8080));
    awaitHosts(http, "10.1.0.2:8080");
  }

  @Test
  void aServerGoingAwayKeepsTheLastEndpointsAndSaysStaleUntilItIsBack() {
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.1"), List.of(), Map.of("http", 8080));
    K8sNamer namer = namer(Optional.empty());
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitHosts(http, "10.1.0.1:8080");
    Await.until("watching", SOON, () -> api.requests().stream().anyMatch(r -> r.startsWith("GET /api/v1/watch/namespaces/prod/endpoints/users")));
    assertThat(namer.status().orElseThrow().stale()).isFalse();

    api.stop();
    Await.until("stale", SOON, () -> namer.status().orElseThrow().stale());
    NamerStatus status = namer.status().orElseThrow();
    assertThat(status.lastError()).get().asString().contains("127.0.0.1:" + api.port());
    assertThat(status.source()).isEqualTo("kubernetes http://127.0.0.1:" + api.port());
    assertThat(hostPorts(http.get())).containsExactly("10.1.0.1:8080");

    int before = api.requests().size();
    api.restart();
    Await.until("fresh again", Duration.ofSeconds(20), () -> !namer.status().orElseThrow().stale());
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.4"), List.of(), Map.of("http", 8080));
    awaitHosts(http, "10.1.0.4:8080");
    assertThat(namer.status().orElseThrow().lastError()).isEmpty();
    assertThat(api.requests().subList(before, api.requests().size()))
        .anyMatch(r -> r.startsWith("GET /api/v1/watch/namespaces/prod/endpoints/users?resourceVersion="));
  }

  @Test
  void aListAnsweredWithGarbageKeepsTheLastEndpointsAndSaysWhy() {
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.1"), List.of(), Map.of("http", 8080));
    K8sNamer namer = namer(Optional.empty());
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitHosts(http, "10.1.0.1:8080");
    Await.until("watching", SOON, () -> api.requests().stream().anyMatch(r -> r.startsWith("GET /api/v1/watch/namespaces/prod/endpoints/users")));

    api.answerListsWithGarbage(true);
    api.expireNextWatch("/api/v1/watch/namespaces/prod/endpoints/users");
    api.stop();
    api.restart();

    Await.until(
        "stale, the garbage named",
        SOON,
        () -> namer.status().orElseThrow().stale()
            && namer.status().orElseThrow().lastError().orElse("").contains("listing endpoints prod/users answered something that is not a Kubernetes object"));
    assertThat(hostPorts(http.get())).containsExactly("10.1.0.1:8080");

    api.answerListsWithGarbage(false);
    api.endpoints("prod", "users", Map.of(), List.of("10.1.0.2"), List.of(), Map.of("http", 8080));
    awaitHosts(http, "10.1.0.2:8080");
    Await.until("fresh", Duration.ofSeconds(20), () -> !namer.status().orElseThrow().stale());
  }

  @Test
  void aServerNeverReachedFailsTheNameWithTheReasonWithoutBlockingTheLookup() throws Exception {
    int nothing;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      nothing = s.getLocalPort();
    }
    K8sNamer namer = cleanup.add(K8sNamer.plain("127.0.0.1", nothing, K8sNamer.DEFAULT_PREFIX, Optional.empty(), Clock.systemUTC()));

    long start = System.nanoTime();
    Var<Addr> http = addr(namer, "/prod/http/users");
    Duration lookup = Duration.ofNanos(System.nanoTime() - start);

    assertThat(lookup).isLessThan(Duration.ofSeconds(1));
    Await.until("failed", SOON, () -> http.get() instanceof Addr.Failed);
    assertThat(((Addr.Failed) http.get()).message()).startsWith("io.l5d.k8s: cannot list endpoint").contains("prod/users at http://127.0.0.1:" + nothing);
    assertThat(namer.status().orElseThrow().stale()).isTrue();
  }
}
