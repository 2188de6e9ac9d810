package dev.turnout.naming.dnssrv;

import dev.turnout.naming.Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * RFC 2782's server selection, turned into the weighted endpoint set a Turnout client balances over.
 *
 * <ul>
 *   <li>Only the lowest-numbered priority that has a reachable target counts: a client "MUST attempt to
 *       contact the target host with the lowest-numbered priority it can reach", so a group whose targets
 *       resolved to nothing gives way to the next.
 *   <li>Within that group, a record's weight becomes its endpoints' share. A group of all-zero weights
 *       is an even spread ("weight 0 when there isn't any server selection to do"); beside positive
 *       weights, a zero-weight record gets "a very small chance": a hundredth of the smallest positive
 *       weight in its group.
 *   <li>A target with several addresses splits its record's weight evenly between them, so adding an
 *       AAAA record does not double a host's share; two records naming the same address and port add up.
 * </ul>
 *
 * The result is sorted by host and port, so the same records in another order (servers rotate them)
 * give an equal set and no spurious change.
 */
final class SrvSelection {
  /** A zero-weight record's share beside positive weights, as a fraction of the smallest positive one. */
  static final double ZERO_WEIGHT_SHARE = 0.01;

  private SrvSelection() {}

  /** One SRV record: its priority, weight and port, and its target as a lower-case absolute name. */
  record Srv(int priority, int weight, int port, String target) {
    Srv {
      if (priority < 0 || priority > 65535 || weight < 0 || weight > 65535) {
        throw new IllegalArgumentException("priority and weight are 0-65535, not " + priority + "/" + weight);
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("an SRV port is 1-65535, not " + port);
      }
      if (target == null || target.isEmpty()) {
        throw new IllegalArgumentException("an SRV record names a target");
      }
    }
  }

  /**
   * The endpoints of {@code records}, their targets looked up in {@code addresses} (a target missing
   * from it, or mapped to nothing, cannot be reached). Empty when no target can be.
   */
  static List<Address> select(List<Srv> records, Map<String, List<InetAddress>> addresses) {
    TreeMap<Integer, List<Srv>> byPriority = new TreeMap<>();
    for (Srv r : records) {
      byPriority.computeIfAbsent(r.priority(), p -> new ArrayList<>()).add(r);
    }
    for (List<Srv> group : byPriority.values()) {
      List<Srv> reachable = new ArrayList<>();
      for (Srv r : group) {
        if (!addresses.getOrDefault(r.target(), List.of()).isEmpty()) {
          reachable.add(r);
        }
      }
      if (!reachable.isEmpty()) {
        return weigh(reachable, addresses);
      }
    }
    return List.of();
  }

  private static List<Address> weigh(List<Srv> group, Map<String, List<InetAddress>> addresses) {
    int minPositive = Integer.MAX_VALUE;
    for (Srv r : group) {
      if (r.weight() > 0) {
        minPositive = Math.min(minPositive, r.weight());
      }
    }
    boolean allZero = minPositive == Integer.MAX_VALUE;
    Map<String, Address> out = new LinkedHashMap<>();
    for (Srv r : group) {
      double share = allZero ? 1.0 : r.weight() > 0 ? r.weight() : minPositive * ZERO_WEIGHT_SHARE;
      List<InetAddress> ips = distinct(addresses.get(r.target()));
      for (InetAddress ip : ips) {
        Address a = new Address(ip.getHostAddress(), r.port(), share / ips.size(), Map.of());
        out.merge(
            a.hostPort(), a, (x, y) -> new Address(x.host(), x.port(), x.weight() + y.weight(), Map.of()));
      }
    }
    List<Address> sorted = new ArrayList<>(out.values());
    sorted.sort(Comparator.comparing(Address::host).thenComparingInt(Address::port));
    return List.copyOf(sorted);
  }

  private static List<InetAddress> distinct(List<InetAddress> ips) {
    List<InetAddress> out = new ArrayList<>();
    for (InetAddress ip : ips) {
      if (!out.contains(ip)) {
        out.add(ip);
      }
    }
    return out;
  }
}
