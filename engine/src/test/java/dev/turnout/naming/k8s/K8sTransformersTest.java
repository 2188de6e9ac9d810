package dev.turnout.naming.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.TransformerConfig;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.Transformer;
import dev.turnout.naming.Var;
import dev.turnout.routing.Transformers;
import dev.turnout.testing.Await;
import dev.turnout.testing.Cleanup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** io.l5d.k8s.localnode and io.l5d.k8s.daemonset, the latter following a daemonset's live endpoints. */
class K8sTransformersTest {
  @RegisterExtension final Cleanup cleanup = new Cleanup();

  private static Address at(String ip, int port, String node) {
    return new Address(ip, port, 1.0, Map.of("nodeName", node));
  }

  private static BoundName bound(Var<Addr> addr) {
    return new BoundName(Path.read("/#/io.l5d.k8s/prod/http/users"), Path.EMPTY, addr);
  }

  private static BoundName transformed(Transformer t, BoundName name) {
    return ((NameTree.Leaf<BoundName>) t.transform(NameTree.leaf(name))).value();
  }

  private static Set<String> hostPorts(Addr a) {
    return a instanceof Addr.Bound b ? b.addresses().stream().map(Address::hostPort).collect(Collectors.toSet()) : Set.of("<" + a + ">");
  }

  @Test
  void localNodeKeepsTheAddressesInThePodsSlash24UnderAPrefixNamingIt() {
    Var<Addr> users = new Var<>(new Addr.Bound(List.of(at("10.1.2.3", 80, "n1"), at("10.1.2.4", 80, "n1"), at("10.1.3.5", 80, "n2"))));
    Transformer t = Transformer.k8sLocalNode(Path.read("/%/io.l5d.k8s.localnode/10.1.2.99"), "10.1.2.99", false);

    BoundName out = transformed(t, bound(users));

    assertThat(out.id().show()).isEqualTo("/%/io.l5d.k8s.localnode/10.1.2.99/#/io.l5d.k8s/prod/http/users");
    assertThat(hostPorts(out.addr().get())).containsExactlyInAnyOrder("10.1.2.3:80", "10.1.2.4:80");
    users.set(new Addr.Bound(List.of(at("10.1.3.5", 80, "n2"))));
    assertThat(out.addr().get()).isEqualTo(new Addr.Neg());
  }

  @Test
  void localNodeWithHostNetworkKeepsTheAddressesOfItsNodeByName() {
    Var<Addr> users = new Var<>(new Addr.Bound(List.of(at("10.1.2.3", 80, "n1"), at("10.1.3.5", 80, "n2"))));
    Transformer t = Transformer.k8sLocalNode(Path.read("/%/io.l5d.k8s.localnode/n2"), "n2", true);

    assertThat(hostPorts(transformed(t, bound(users)).addr().get())).containsExactly("10.1.3.5:80");
  }

  @Test
  void localNodeWithoutPodIpRefusesToStartSayingWhatIsMissing() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("POD_IP") == null);
    assertThatThrownBy(
            () -> Transformers.of(List.of(new TransformerConfig.K8sLocalNode(Path.read("/%/io.l5d.k8s.localnode"), false)), new Interpreter(List.of())))
        .hasMessageContaining("the POD_IP environment variable must be set");
  }

  @Test
  void daemonSetSendsEachAddressToTheMemberOnItsNodeAndFollowsTheDaemonSet() {
    K8sStandIn api = cleanup.add(K8sStandIn.start());
    api.endpoints("linkerd", "l5d", Map.of(), List.of("10.1.2.50", "10.1.3.50"), List.of(), Map.of("incoming", 4141));
    K8sNamer namer = cleanup.add(K8sNamer.plain("127.0.0.1", api.port(), Path.EMPTY, Optional.empty(), Clock.systemUTC()));
    Transformer t =
        Transformer.k8sDaemonSet(Path.read("/%/io.l5d.k8s.daemonset/linkerd/incoming/l5d"), namer.addr("linkerd", "incoming", "l5d"), false);
    Var<Addr> users = new Var<>(new Addr.Bound(List.of(at("10.1.2.3", 8080, "n1"), at("10.1.2.4", 8080, "n1"))));

    BoundName out = transformed(t, bound(users));
    List<Addr> heard = new ArrayList<>();
    out.addr().observe(heard::add);

    assertThat(out.id().show()).isEqualTo("/%/io.l5d.k8s.daemonset/linkerd/incoming/l5d/#/io.l5d.k8s/prod/http/users");
    Await.until("bound to the daemonset", Duration.ofSeconds(10), () -> hostPorts(out.addr().get()).equals(Set.of("10.1.2.50:4141")));
    users.set(new Addr.Bound(List.of(at("10.1.2.3", 8080, "n1"), at("10.1.3.7", 8080, "n2"))));
    assertThat(hostPorts(out.addr().get())).containsExactlyInAnyOrder("10.1.2.50:4141", "10.1.3.50:4141");

    api.endpoints("linkerd", "l5d", Map.of(), List.of("10.1.2.51", "10.1.3.50"), List.of(), Map.of("incoming", 4141));
    Await.until("following the daemonset", Duration.ofSeconds(10), () -> hostPorts(out.addr().get()).equals(Set.of("10.1.2.51:4141", "10.1.3.50:4141")));
    assertThat(heard).isNotEmpty();
    users.set(new Addr.Bound(List.of(at("10.9.9.9", 8080, "n9"))));
    assertThat(out.addr().get()).isEqualTo(new Addr.Neg());
  }

  @Test
  void daemonSetWithHostNetworkMatchesByNodeName() {
    Var<Addr> members = new Var<>(new Addr.Bound(List.of(at("192.168.0.1", 4141, "n1"), at("192.168.0.2", 4141, "n2"))));
    Transformer t = Transformer.k8sDaemonSet(Path.read("/%/io.l5d.k8s.daemonset/linkerd/incoming/l5d"), members, true);
    Var<Addr> users = new Var<>(new Addr.Bound(List.of(at("10.1.2.3", 8080, "n2"))));

    assertThat(hostPorts(transformed(t, bound(users)).addr().get())).containsExactly("192.168.0.2:4141");
  }
}
