package dev.turnout.naming;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A transformer that rewrites each bound name on its own: its id goes under the prefix and its
 * address set is rewritten live ({@code io.l5d.port}, {@code io.l5d.localhost}, {@code
 * io.l5d.specificHost}). A leaf stays a leaf, so in a delegation tree each leaf becomes a
 * Transformation over the rewritten leaf, the leaf keeping the dentry that produced it.
 */
final class AddressTransformer implements Transformer {
  private final String name;
  private final Path prefix;
  /** The rewrite of a bound set; anything else passes through untouched. */
  private final Function<Addr.Bound, Addr> rewrite;

  private AddressTransformer(String name, Path prefix, Function<Addr.Bound, Addr> rewrite) {
    this.name = name;
    this.prefix = prefix;
    this.rewrite = rewrite;
  }

  /**
   * Every address with {@code port}. Two endpoints on one host become one, as Finagle's address set
   * (a set) makes them; the set stays bound even when empty, since nothing was filtered out.
   */
  static AddressTransformer port(Path prefix, int port) {
    return new AddressTransformer(
        "io.l5d.port",
        prefix,
        bound -> {
          Set<Address> moved = new LinkedHashSet<>();
          for (Address a : bound.addresses()) {
            moved.add(new Address(a.host(), port, a.weight(), a.meta()));
          }
          return new Addr.Bound(List.copyOf(moved), bound.meta());
        });
  }

  /**
   * Only the addresses whose host is one of {@code hosts}; none left is Neg. A host written as a name
   * is not looked up here (this runs where a request may be waiting): {@code localhost} counts as the
   * loopback address, any other name as no address of {@code hosts}. Linkerd compares IPv4 only (its
   * /32 mask), so an IPv6 literal never matched there; here it matches when it is one of {@code hosts}.
   */
  static AddressTransformer hosts(String name, Path prefix, Set<InetAddress> hosts) {
    Set<InetAddress> allowed = Set.copyOf(hosts);
    return new AddressTransformer(
        name,
        prefix,
        bound -> {
          List<Address> kept = new ArrayList<>(bound.addresses().size());
          for (Address a : bound.addresses()) {
            if (ip(a.host()).filter(allowed::contains).isPresent()) {
              kept.add(a);
            }
          }
          return kept.isEmpty() ? new Addr.Neg() : new Addr.Bound(kept, bound.meta());
        });
  }

  private static Optional<InetAddress> ip(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return Optional.of(InetAddress.getLoopbackAddress());
    }
    return HostLiteral.classify(host) instanceof HostLiteral.Literal literal
        ? Optional.of(literal.address())
        : Optional.empty();
  }

  /** {@code bound} under the prefix, its address set rewritten whenever the namer's changes. */
  BoundName apply(BoundName bound) {
    Var<Addr> addr = bound.addr().map(a -> a instanceof Addr.Bound b ? rewrite.apply(b) : a);
    return new BoundName(prefix.concat(bound.id()), bound.residual(), addr);
  }

  @Override
  public NameTree<BoundName> transform(NameTree<BoundName> tree) {
    return tree.map(this::apply);
  }

  @Override
  public DelegateTree transform(DelegateTree tree) {
    return DelegateLeaves.replace(
        tree,
        leaf -> {
          BoundName after = apply(leaf.bound());
          return new DelegateTree.Transformation(
              leaf.path(), name, Optional.of(leaf.bound()), new DelegateTree.Leaf(after.id(), leaf.dentry(), after));
        });
  }
}
