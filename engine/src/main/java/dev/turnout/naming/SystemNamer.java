package dev.turnout.naming;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.List;

/**
 * The names under {@code /$} that need no configuration, as Finagle's global namer has them:
 *
 * <ul>
 *   <li>{@code /$/inet/<host>/<port>[/rest]} and {@code /$/fixedinet/...}: that one endpoint;
 *   <li>{@code /$/inet/<port>[/rest]}: the endpoint on localhost;
 *   <li>{@code /$/fail[/...]}: Fail; {@code /$/nil[/...]}: Empty.
 * </ul>
 *
 * Any other {@code /$/<name>} names a namer class Turnout does not have, which is an error naming it.
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
        return inet(kind, path.drop(1));
      default:
        throw new BindingException(
            "unknown namer /$/" + kind + " (ClassNotFoundException: " + kind + ")");
    }
  }

  private static NameTree<Name> inet(String kind, Path rest) {
    if (rest.size() >= 2 && isPort(rest.labelText(1))) {
      return bound(kind, rest.labelText(0), rest.take(2), rest.drop(2));
    }
    if (rest.size() >= 1 && isPort(rest.labelText(0))) {
      return bound(kind, "localhost", rest.take(1), rest.drop(1));
    }
    return NameTree.neg();
  }

  private static NameTree<Name> bound(String kind, String host, Path hostPort, Path residual) {
    int port = Integer.parseInt(hostPort.labelText(hostPort.size() - 1));
    Path id = Path.of("$", kind).concat(hostPort);
    Addr addr = new Addr.Bound(List.of(new Address(host, port)));
    return NameTree.leaf(new Name.Resolved(new BoundName(id, residual, new Var<>(addr))));
  }

  private static boolean isPort(String s) {
    if (s.isEmpty() || s.length() > 5) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    int port = Integer.parseInt(s);
    return port >= 1 && port <= 65535;
  }
}
