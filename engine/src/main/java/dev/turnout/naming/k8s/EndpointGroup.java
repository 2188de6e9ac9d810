package dev.turnout.naming.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ready endpoints that share their ports: one subset of an Endpoints object, or one EndpointSlice.
 * A port name picks, in each group that has a TCP port of that name, its addresses at that port, so a
 * service whose pods disagree on a port's number routes each to its own.
 */
record EndpointGroup(List<Endpoint> endpoints, Map<String, Integer> namedPorts) {

  /** One ready address and the node it runs on, when said. */
  record Endpoint(String host, Optional<String> nodeName) {}

  /** A Service port's {@code targetPort}: a number, or else a name. */
  record Target(int number, String name) {}

  /** The groups of Endpoints objects: {@code subsets[].addresses} (never {@code notReadyAddresses}). */
  static List<EndpointGroup> fromEndpoints(Collection<JsonNode> objects) {
    List<EndpointGroup> out = new ArrayList<>();
    for (JsonNode o : objects) {
      for (JsonNode subset : o.path("subsets")) {
        List<Endpoint> eps = new ArrayList<>();
        for (JsonNode a : subset.path("addresses")) {
          String ip = a.path("ip").asText("");
          if (!ip.isEmpty()) {
            eps.add(new Endpoint(ip, text(a.path("nodeName"))));
          }
        }
        out.add(new EndpointGroup(eps, ports(subset.path("ports"))));
      }
    }
    return out;
  }

  /** The groups of EndpointSlices: endpoints whose {@code conditions.ready} is not false. */
  static List<EndpointGroup> fromSlices(Collection<JsonNode> slices) {
    List<EndpointGroup> out = new ArrayList<>();
    for (JsonNode s : slices) {
      List<Endpoint> eps = new ArrayList<>();
      for (JsonNode e : s.path("endpoints")) {
        JsonNode ready = e.path("conditions").path("ready");
        if (ready.isBoolean() && !ready.booleanValue()) {
          continue;
        }
        Optional<String> node = text(e.path("nodeName"));
        for (JsonNode a : e.path("addresses")) {
          String host = a.asText("");
          if (!host.isEmpty()) {
            eps.add(new Endpoint(host, node));
          }
        }
      }
      out.add(new EndpointGroup(eps, ports(s.path("ports"))));
    }
    return out;
  }

  private static Map<String, Integer> ports(JsonNode list) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (JsonNode p : list) {
      String protocol = p.path("protocol").asText("TCP");
      int port = p.path("port").asInt(0);
      if (protocol.equalsIgnoreCase("TCP") && port > 0 && port <= 65535) {
        out.put(p.path("name").asText(""), port);
      }
    }
    return out;
  }

  private static Optional<String> text(JsonNode n) {
    return n.isTextual() && !n.asText().isEmpty() ? Optional.of(n.asText()) : Optional.empty();
  }

  /** The addresses at the port named {@code name}; Neg when no group has such a port. */
  static Addr named(List<EndpointGroup> groups, String name) {
    Set<Address> out = new LinkedHashSet<>();
    boolean known = false;
    for (EndpointGroup g : groups) {
      Integer port = g.namedPorts().get(name);
      if (port != null) {
        known = true;
        for (Endpoint e : g.endpoints()) {
          out.add(address(e, port));
        }
      }
    }
    return known ? new Addr.Bound(List.copyOf(out)) : new Addr.Neg();
  }

  /** Every ready address at {@code port}, as Linkerd binds a Service port whose target is a number. */
  static Addr numbered(List<EndpointGroup> groups, int port) {
    Set<Address> out = new LinkedHashSet<>();
    for (EndpointGroup g : groups) {
      for (Endpoint e : g.endpoints()) {
        out.add(address(e, port));
      }
    }
    return new Addr.Bound(List.copyOf(out));
  }

  private static Address address(Endpoint e, int port) {
    Map<String, String> meta = e.nodeName().map(n -> Map.of("nodeName", n)).orElse(Map.of());
    return new Address(e.host(), port, 1.0, meta);
  }

  /** The target of the Service's port {@code number}; empty when the Service has no such port. */
  static Optional<Target> targetPort(JsonNode service, int number) {
    for (JsonNode p : service.path("spec").path("ports")) {
      if (p.path("port").asInt(0) != number || !p.path("protocol").asText("TCP").equalsIgnoreCase("TCP")) {
        continue;
      }
      JsonNode target = p.path("targetPort");
      if (target.isMissingNode() || target.isNull()) {
        return Optional.of(new Target(number, ""));
      }
      if (target.isInt() || target.asText("").matches("[0-9]{1,5}")) {
        int t = target.asInt();
        return Optional.of(t >= 1 && t <= 65535 ? new Target(t, "") : new Target(number, ""));
      }
      return Optional.of(new Target(0, target.asText()));
    }
    return Optional.empty();
  }
}
