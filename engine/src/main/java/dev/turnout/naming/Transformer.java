package dev.turnout.naming;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A rewrite of what binding produced, as Linkerd's interpreter {@code transformers:} do: applied to a
 * bound tree after binding, and to a delegation tree after delegating, so the preview shows what
 * routing does. A transformer gives every bound name it rewrites an id under its own {@code prefix}
 * ({@code /%/io.l5d.port/4141/#/io.l5d.fs/users}), so a transformed name has its own client, pool and
 * metrics, apart from the same name untransformed on another router.
 *
 * <p>Address transformers keep Linkerd's address semantics: a bound set is rewritten, and a filter
 * that leaves no address makes the name {@link Addr.Neg} (as Linkerd's {@code
 * FilteringNameTreeTransformer} does, so an Alt in the preview reads it as nothing there); Neg,
 * Failed and Pending pass through. The rewrite follows the namer's live set through {@link Var#map},
 * which computes once per change of the set, never per request.
 */
public interface Transformer {

  /** {@code tree} with the transformation applied; a tree with no leaf may still change (const). */
  NameTree<BoundName> transform(NameTree<BoundName> tree);

  /**
   * {@code tree} with a {@link DelegateTree.Transformation} node where this transformer changed
   * something, holding the name before and the tree after, as Linkerd's delegator shows it.
   */
  DelegateTree transform(DelegateTree tree);

  /** {@code io.l5d.port}: every address keeps its host and takes {@code port}. */
  static Transformer port(Path prefix, int port) {
    return AddressTransformer.port(prefix, port);
  }

  /**
   * {@code io.l5d.localhost}: only addresses of this host's interfaces that are up, read once now (as
   * Linkerd reads them when the router starts).
   */
  static Transformer localhost(Path prefix) {
    return AddressTransformer.hosts("io.l5d.localhost", prefix, interfaceAddresses());
  }

  /**
   * {@code io.l5d.specificHost}: only addresses of {@code host}, resolved once now (as Linkerd does
   * when the router starts).
   *
   * @throws IllegalArgumentException when {@code host} does not resolve
   */
  static Transformer specificHost(Path prefix, String host) {
    Set<InetAddress> addresses = new LinkedHashSet<>();
    try {
      Collections.addAll(addresses, InetAddress.getAllByName(host));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("io.l5d.specificHost: unknown host " + host, e);
    }
    return AddressTransformer.hosts("io.l5d.specificHost", prefix, addresses);
  }

  /**
   * {@code io.l5d.replace}: every bound name becomes {@code path} bound by {@code interpreter} with no
   * dtab (Linkerd binds it with the process's namers); Neg, Fail and Empty stay as they are.
   */
  static Transformer replace(Path prefix, Path path, Interpreter interpreter) {
    return new ReplaceTransformer(prefix, path, interpreter, false);
  }

  /** {@code io.l5d.const}: the whole tree becomes {@code path} bound with no dtab, even a Neg. */
  static Transformer constant(Path prefix, Path path, Interpreter interpreter) {
    return new ReplaceTransformer(prefix, path, interpreter, true);
  }

  /**
   * {@code io.l5d.k8s.localnode}: only addresses on this Kubernetes node: in the /24 of {@code local},
   * the pod's IP, or with {@code hostNetwork} whose {@code nodeName} is {@code local}, the node's name.
   */
  static Transformer k8sLocalNode(Path prefix, String local, boolean hostNetwork) {
    return AddressTransformer.filter(
        "io.l5d.k8s.localnode",
        prefix,
        hostNetwork
            ? a -> local.equals(a.meta().get("nodeName"))
            : a -> AddressTransformer.sameSlash24(a.host(), local));
  }

  /**
   * {@code io.l5d.k8s.daemonset}: every address becomes the member of {@code daemonSet} (the live
   * endpoints of the daemonset's service) on its node: the one in its /24, or with {@code hostNetwork}
   * the one with its {@code nodeName}. An address with no member on its node is dropped; none left, Neg.
   */
  static Transformer k8sDaemonSet(Path prefix, Var<Addr> daemonSet, boolean hostNetwork) {
    return AddressTransformer.gateway(
        "io.l5d.k8s.daemonset",
        prefix,
        daemonSet,
        hostNetwork
            ? (a, gw) -> a.meta().get("nodeName") != null && a.meta().get("nodeName").equals(gw.meta().get("nodeName"))
            : (a, gw) -> AddressTransformer.sameSlash24(a.host(), gw.host()));
  }

  /** The addresses of every interface that is up, loopback included. */
  private static Set<InetAddress> interfaceAddresses() {
    Set<InetAddress> out = new LinkedHashSet<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp()) {
          out.addAll(Collections.list(nic.getInetAddresses()));
        }
      }
    } catch (SocketException e) {
      throw new IllegalStateException("io.l5d.localhost: cannot list this host's interfaces: " + e.getMessage(), e);
    }
    out.add(InetAddress.getLoopbackAddress());
    return out;
  }
}
