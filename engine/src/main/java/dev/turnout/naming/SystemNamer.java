package dev.turnout.naming;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.List;

/**
 * The names under {@code /$} that need no configuration, as Finagle's global namer has them:
 *
 * <ul>
 *   <li>{@code /$/inet/<host>/<port>[/rest]} and {@code /$/fixedinet/...}: that one endpoint, id {@code
 *       /$/inet/<host>/<port>}, residual {@code /rest};
 *   <li>{@code /$/inet/<port>[/rest]}: the endpoint on localhost;
 *   <li>{@code /$/fail[/...]}: Fail; {@code /$/nil[/...]}: Empty.
 * </ul>
 *
 * Linkerd's rewriting namers ({@code /$/io.buoyant.http.anyMethodPfx} and kin, {@link
 * RewritingNamers}) work too. Any other {@code /$/<name>} (including {@code /$/inet/x/y} without a
 * port) names a namer class Turnout does not have: Finagle's {@code ClassNotFoundException}, reported as
 * Linkerd words it.
 */
final class SystemNamer implements Namer {
  static final Path PREFIX = Path.of("$");

  @Override
  public NameTree<Name> lookup(Path path) {
    if (path.isEmpty()) {
      return NameTree.neg();
    }
    String kind = path.labelText(0);
    switch (kind) {
      case "fail":
        return NameTree.fail();
      case "nil":
        return NameTree.empty();
      case "inet":
      case "fixedinet":
        NameTree<Name> bound = inetLeaf(Path.of("$", kind), path.drop(1));
        if (bound != null) {
          return bound;
        }
        throw unknown(kind, path);
      default:
        return RewritingNamers.lookup(kind, path.drop(1)).orElseThrow(() -> unknown(kind, path));
    }
  }

  private static BindingException unknown(String kind, Path path) {
    return new BindingException(
        "ClassNotFoundException",
        kind,
        "Unknown namer: " + kind + " for path: " + PREFIX.concat(path).show());
  }

  /**
   * The bound leaf for {@code <host>/<port>[/rest]} or {@code <port>[/rest]} (localhost), its id
   * {@code idPrefix} followed by host and port as written; null when {@code rest} has no port where one
   * must be. The host is read as {@link HostLiteral} says: a literal address is bound at once (in its
   * canonical form, so {@code 127.1} connects to {@code 127.0.0.1}), a host name through {@link
   * HostResolver#shared()} (Pending until DNS answers, off this thread), and a malformed one to a failed
   * address whose message names it.
   */
  static NameTree<Name> inetLeaf(Path idPrefix, Path rest) {
    if (rest.size() >= 2 && isInteger(rest.labelText(1))) {
      return bound(idPrefix, rest.labelText(0), rest.take(2), rest.drop(2));
    }
    if (rest.size() >= 1 && isInteger(rest.labelText(0))) {
      // Finagle binds a bare port to the wildcard address, which a connection reaches as loopback.
      return bound(idPrefix, "127.0.0.1", rest.take(1), rest.drop(1));
    }
    return null;
  }

  private static NameTree<Name> bound(Path idPrefix, String host, Path hostPort, Path residual) {
    int port = Integer.parseInt(hostPort.labelText(hostPort.size() - 1));
    Path id = idPrefix.concat(hostPort);
    return NameTree.leaf(new Name.Resolved(new BoundName(id, residual, addr(id, host, port))));
  }

  private static Var<Addr> addr(Path id, String host, int port) {
    if (port < 1 || port > 65535) {
      return new Var<>(new Addr.Failed("malformed address " + id.show() + ": port out of range:" + port));
    }
    HostLiteral.Kind kind = HostLiteral.classify(host);
    if (kind instanceof HostLiteral.Literal literal) {
      return new Var<>(new Addr.Bound(List.of(new Address(literal.text(), port))));
    }
    if (kind instanceof HostLiteral.Malformed bad) {
      return new Var<>(new Addr.Failed("malformed address " + id.show() + ": " + bad.why()));
    }
    return HostResolver.shared().addr(((HostLiteral.HostName) kind).name(), port);
  }

  /** What Scala's {@code toInt} accepts: an optional sign and decimal digits that fit an int. */
  static boolean isInteger(String s) {
    try {
      Integer.parseInt(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
