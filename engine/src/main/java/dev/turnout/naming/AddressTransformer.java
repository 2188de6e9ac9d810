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
  /** The live address set of a rewritten name, made from the name's own. */
  private final Function<Var<Addr>, Var<Addr>> rewrite;

  private AddressTransformer(String name, Path prefix, Function<Addr.Bound, Addr> rewrite) {
    this(name, prefix, (Var<Addr> addr) -> addr.map(a -> a instanceof Addr.Bound b ? rewrite.apply(b) : a), true);
  }

  private AddressTransformer(String name, Path prefix, Function<Var<Addr>, Var<Addr>> rewrite, boolean live) {
    this.name = name;
    this.prefix = prefix;
    this.rewrite = rewrite;
  }

  /** A filter of each bound set: only the addresses {@code keep} accepts; none left is Neg. */
  static AddressTransformer filter(String name, Path prefix, java.util.function.Predicate<Address> keep) {
    return new AddressTransformer(
        name,
        prefix,
        bound -> {
          List<Address> kept = bound.addresses().stream().filter(keep).toList();
          return kept.isEmpty() ? new Addr.Neg() : new Addr.Bound(kept, bound.meta());
        });
  }

  /**
   * Each bound set rewritten by {@code with}'s current bound set (Linkerd's GatewayTransformer): every
   * address becomes the addresses of {@code with} that {@code match} pairs it with; none is Neg. While
   * {@code with} is not bound, the name's own state passes through.
   */
  static AddressTransformer gateway(
      String name, Path prefix, Var<Addr> with, java.util.function.BiPredicate<Address, Address> match) {
    return new AddressTransformer(
        name,
        prefix,
        (Var<Addr> addr) ->
            Var.join(
                addr,
                with,
                (a, g) -> {
                  if (!(a instanceof Addr.Bound b) || !(g instanceof Addr.Bound gates)) {
                    return a;
                  }
                  Set<Address> selected = new LinkedHashSet<>();
                  for (Address x : b.addresses()) {
                    for (Address gw : gates.addresses()) {
                      if (match.test(x, gw)) {
                        selected.add(gw);
                      }
                    }
                  }
                  return selected.isEmpty() ? new Addr.Neg() : new Addr.Bound(List.copyOf(selected), b.meta());
                }),
        true);
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

  /** Whether {@code a} and {@code b} are IPv4 literals in one /24, as Linkerd's 255.255.255.0 netmask asks. */
  static boolean sameSlash24(String a, String b) {
    Optional<InetAddress> x = ip(a);
    Optional<InetAddress> y = ip(b);
    if (x.isEmpty() || y.isEmpty() || x.get().getAddress().length != 4 || y.get().getAddress().length != 4) {
      return false;
    }
    byte[] p = x.get().getAddress();
    byte[] q = y.get().getAddress();
    return p[0] == q[0] && p[1] == q[1] && p[2] == q[2];
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
    Var<Addr> addr = rewrite.apply(bound.addr());
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
