package dev.turnout.routing;

import dev.turnout.dtab.NameTree;
import dev.turnout.naming.BoundName;

/**
 * The cached outcome of binding one service name: the bound tree, with each leaf already resolved to
 * its {@link Target} (client and the header texts a request sends), so that a request does no string
 * building or lookups beyond picking a branch.
 *
 * @param service the service name's text, {@code /svc/users}
 * @param bound the bound tree as binding produced it
 * @param targets the same tree with each leaf made a target
 */
public record Route(String service, NameTree<BoundName> bound, NameTree<Target> targets) {

  /**
   * A bound name ready for traffic: its client, its id text for {@code l5d-dst-client} and its residual
   * text for {@code l5d-dst-residual} (empty when there is none).
   */
  public record Target(BoundName name, String id, String residual, Client client) {}
}
