package dev.turnout.naming.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.Name;
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

/**
 * io.l5d.k8s's watches as Linkerd 1 opens them: chunked streams of JSON events at {@code
 * /api/v1/watch/namespaces/NS/endpoints/SVC}, resumed from the last version after a drop and listed
 * afresh after a 410, against {@link K8sStandIn}.
 */
class K8sWatchStreamTest {
  private static final Duration SOON = Duration.ofSeconds(10);
  private static final String LIST = "GET /api/v1/namespaces/prod/endpoints/users";
  private static final String WATCH = "GET /api/v1/watch/namespaces/prod/endpoints/users";

  @RegisterExtension final Cleanup cleanup = new Cleanup();
  private final K8sStandIn api = cleanup.add(K8sStandIn.start());

  private K8sNamer namer() {
    return cleanup.add(K8sNamer.plain("127.0.0.1", api.port(), K8sNamer.DEFAULT_PREFIX, Optional.empty(), Clock.systemUTC()));
  }

  private static Var<Addr> addr(K8sNamer namer, String path) {
    return ((Name.Resolved) ((NameTree.Leaf<Name>) namer.lookup(Path.read(path))).value()).bound().addr();
  }

  private static Set<String> hostPorts(Addr addr) {
    return addr instanceof Addr.Bound b
        ? b.addresses().stream().map(Address::hostPort).collect(Collectors.toSet())
        : Set.of("<" + addr + ">");
  }

  private static void awaitHosts(Var<Addr> var, String... expected) {
    Await.until("endpoints " + Set.of(expected) + ", last " + var.get(), SOON, () -> hostPorts(var.get()).equals(Set.of(expected)));
  }

  private long count(String request) {
    return api.requests().stream().filter(r -> r.equals(request)).count();
  }

  private void awaitWatching(int streams) {
    Await.until(streams + " open watch streams", SOON, () -> api.openWatches() >= streams);
  }

  private void users(String... ips) {
    api.endpoints("prod", "users", Map.of(), List.of(ips), List.of(), Map.of("http", 8080));
  }

  @Test
  void theObjectIsListedThenWatchedAtLinkerdsUrlAndAModifiedEventMovesIt() {
    users("10.1.0.1");
    String listed = api.endpointsVersion("prod", "users");
    K8sNamer namer = namer();
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitHosts(http, "10.1.0.1:8080");
    awaitWatching(2);

    users("10.1.0.2", "10.1.0.3");

    awaitHosts(http, "10.1.0.2:8080", "10.1.0.3:8080");
    assertThat(api.requests()).containsSubsequence(LIST, WATCH + "?resourceVersion=" + listed);
    assertThat(count(LIST)).isEqualTo(1);
    assertThat(api.requests()).filteredOn(r -> r.startsWith(WATCH)).hasSize(1);
  }

  @Test
  void aDroppedStreamIsResumedFromTheLastVersionSeen() {
    users("10.1.0.1");
    K8sNamer namer = namer();
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitWatching(2);
    users("10.1.0.2");
    awaitHosts(http, "10.1.0.2:8080");
    String seen = api.endpointsVersion("prod", "users");

    api.dropWatches();
    Await.until("the watch resumed", SOON, () -> count(WATCH + "?resourceVersion=" + seen) == 1);
    users("10.1.0.3");

    awaitHosts(http, "10.1.0.3:8080");
    assertThat(count(LIST)).isEqualTo(1);
  }

  @Test
  void anErrorEventOfCode410IsFollowedByAFreshListAndThenAWatchFromNow() {
    users("10.1.0.1");
    K8sNamer namer = namer();
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitWatching(2);
    users("10.1.0.2");
    awaitHosts(http, "10.1.0.2:8080");

    api.forgetHistory();
    api.dropWatches();
    Await.until("listed again and watched from now", SOON, () -> count(LIST) == 2 && count(WATCH) == 1);
    users("10.1.0.3");

    awaitHosts(http, "10.1.0.3:8080");
    // the first watch and its resumption carried a version; the one after the relist none
    assertThat(api.requests()).filteredOn(r -> r.startsWith(WATCH + "?resourceVersion=")).hasSize(2);
    assertThat(namer.status().orElseThrow().lastError()).isEmpty();
  }

  @Test
  void aWatchSilentForTooLongIsPresumedDeadAndResumedFromTheLastVersion() {
    users("10.1.0.1");
    String listed = api.endpointsVersion("prod", "users");
    K8sNamer namer = cleanup.add(K8sNamer.plain("127.0.0.1", api.port(), Duration.ofMillis(500)));
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitHosts(http, "10.1.0.1:8080");

    // nothing changes: the stand-in's stream stays open and silent, as over a connection that died quietly
    Await.until("watched again", SOON, () -> count(WATCH + "?resourceVersion=" + listed) >= 2);
    users("10.1.0.7");

    awaitHosts(http, "10.1.0.7:8080");
    assertThat(count(LIST)).isEqualTo(1);
    assertThat(namer.status().orElseThrow().stale()).isFalse();
  }

  @Test
  void anHttp410IsFollowedByAFreshList() {
    users("10.1.0.1");
    K8sNamer namer = namer();
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitWatching(2);
    users("10.1.0.2");
    awaitHosts(http, "10.1.0.2:8080");

    api.answerNextWatchGone(WATCH.substring(4));
    api.dropWatches();
    Await.until("listed again", SOON, () -> count(LIST) == 2);
    users("10.1.0.4");

    awaitHosts(http, "10.1.0.4:8080");
  }

  @Test
  void aDeletedObjectUnbindsTheNameAndItsReturnBindsItAgain() {
    users("10.1.0.1");
    K8sNamer namer = namer();
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitHosts(http, "10.1.0.1:8080");

    api.deleteEndpoints("prod", "users");
    Await.until("neg, last " + http.get(), SOON, () -> http.get() instanceof Addr.Neg);
    users("10.1.0.5");

    awaitHosts(http, "10.1.0.5:8080");
  }

  @Test
  void endpointSlicesAreWatchedFromTheirListsVersionWithWatchTrue() {
    api.slice("prod", "users-a", "users", Map.of(), List.of("10.2.0.1"), List.of(), Map.of("http", 8080));
    K8sNamer namer = namer();
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitHosts(http, "10.2.0.1:8080");
    awaitWatching(2);

    api.slice("prod", "users-b", "users", Map.of(), List.of("10.2.0.2"), List.of(), Map.of("http", 8080));

    awaitHosts(http, "10.2.0.1:8080", "10.2.0.2:8080");
    assertThat(api.requests())
        .anyMatch(
            r -> r.matches(
                "GET /apis/discovery\\.k8s\\.io/v1/namespaces/prod/endpointslices\\?labelSelector=kubernetes\\.io/service-name=users"
                    + "&watch=true&allowWatchBookmarks=true&resourceVersion=[0-9]+"));
  }

  @Test
  void aServerWithoutEndpointSlicesIsReadThroughEndpointsAlone() {
    api.serveEndpointSlices(false);
    users("10.1.0.1");
    K8sNamer namer = namer();
    Var<Addr> http = addr(namer, "/prod/http/users");
    awaitHosts(http, "10.1.0.1:8080");
    awaitWatching(1);

    users("10.1.0.6");

    awaitHosts(http, "10.1.0.6:8080");
    assertThat(api.requests()).noneMatch(r -> r.startsWith("GET /apis/") && r.contains("watch=true"));
    assertThat(namer.status().orElseThrow().stale()).isFalse();
  }

  @Test
  void aLabelSelectorIsSentAsLinkerdSendsIt() {
    api.endpoints("prod", "users", Map.of("version", "v2"), List.of("10.1.0.2"), List.of(), Map.of("http", 8080));
    K8sNamer namer = cleanup.add(K8sNamer.plain("127.0.0.1", api.port(), K8sNamer.DEFAULT_PREFIX, Optional.of("version"), Clock.systemUTC()));

    Var<Addr> v2 = addr(namer, "/prod/http/users/v2");
    awaitHosts(v2, "10.1.0.2:8080");
    Await.until("watching", SOON, () -> api.requests().stream().anyMatch(r -> r.startsWith(WATCH + "?labelSelector=version=v2&resourceVersion=")));
    api.endpoints("prod", "users", Map.of("version", "v3"), List.of("10.1.0.3"), List.of(), Map.of("http", 8080));

    Await.until("the object left the selection, last " + v2.get(), SOON, () -> v2.get() instanceof Addr.Neg);
    assertThat(api.requests()).contains(LIST + "?labelSelector=version=v2");
  }
}
