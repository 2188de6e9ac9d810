package dev.turnout.naming;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Linkerd's classpath namers, reached as {@code /$/io.buoyant....}. Most rewrite the name into another
 * path, which binding then looks up through the dtab again; a name that does not fit is Neg:
 *
 * <pre>
 * io.buoyant.http.anyMethod        /GET/svc/x          → /svc/x      (a method is [A-Z]+)
 * io.buoyant.http.anyMethodPfx     /pfx/GET/svc        → /pfx/svc
 * io.buoyant.http.anyHost          /foo.com/x          → /x
 * io.buoyant.http.anyHostPfx       /pfx/foo.com/x      → /pfx/x
 * io.buoyant.http.subdomainOf      /b.io/foo.b.io/x    → /foo/x
 * io.buoyant.http.subdomainOfPfx   /b.io/pfx/foo.b.io  → /pfx/foo
 * io.buoyant.http.domainToPath     /foo.b.io/x         → /io/b/foo/x
 * io.buoyant.http.domainToPathPfx  /pfx/foo.b.io/x     → /pfx/io/b/foo/x
 * io.buoyant.hostportPfx           /pfx/host:80/x      → /pfx/host/80/x
 * io.buoyant.porthostPfx           /pfx/host:80/x      → /pfx/80/host/x
 * io.buoyant.rinet                 /80/host/x          bound like /$/inet/host/80, residual /x
 * </pre>
 */
final class RewritingNamers {
  private RewritingNamers() {}

  private static final Pattern METHOD = Pattern.compile("[A-Z]+");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:_-]+");
  private static final Path RINET = Path.of("$", "io.buoyant.rinet");

  /** The answer of the namer {@code kind} for {@code path}, or empty when there is no such namer. */
  static Optional<NameTree<Name>> lookup(String kind, Path path) {
    if (kind.equals("io.buoyant.rinet")) {
      return Optional.of(rinet(path));
    }
    Optional<Path> rewritten;
    switch (kind) {
      case "io.buoyant.http.anyMethod":
        rewritten = when(path.size() >= 1 && isMethod(text(path, 0)), () -> path.drop(1));
        break;
      case "io.buoyant.http.anyMethodPfx":
        rewritten = when(path.size() >= 2 && isMethod(text(path, 1)), () -> dropSecond(path));
        break;
      case "io.buoyant.http.anyHost":
        rewritten = when(path.size() >= 1 && isHost(text(path, 0)), () -> path.drop(1));
        break;
      case "io.buoyant.http.anyHostPfx":
        rewritten = when(path.size() >= 2 && isHost(text(path, 1)), () -> dropSecond(path));
        break;
      case "io.buoyant.http.subdomainOf":
        rewritten =
            path.size() < 2
                ? Optional.empty()
                : subdomain(text(path, 0), text(path, 1))
                    .map(sub -> Path.utf8(sub).concat(path.drop(2)));
        break;
      case "io.buoyant.http.subdomainOfPfx":
        rewritten =
            path.size() < 3
                ? Optional.empty()
                : subdomain(text(path, 0), text(path, 2))
                    .map(sub -> path.drop(1).take(1).concat(Path.utf8(sub)).concat(path.drop(3)));
        break;
      case "io.buoyant.http.domainToPath":
        rewritten =
            when(
                path.size() >= 1 && isHost(text(path, 0)),
                () -> reversed(text(path, 0)).concat(path.drop(1)));
        break;
      case "io.buoyant.http.domainToPathPfx":
        rewritten =
            when(
                path.size() >= 2 && isHost(text(path, 1)),
                () -> path.take(1).concat(reversed(text(path, 1))).concat(path.drop(2)));
        break;
      case "io.buoyant.hostportPfx":
      case "io.buoyant.porthostPfx":
        boolean hostFirst = kind.equals("io.buoyant.hostportPfx");
        rewritten = path.size() >= 2 ? hostPort(hostFirst, path) : Optional.empty();
        break;
      default:
        return Optional.empty();
    }
    NameTree<Name> tree =
        rewritten.<NameTree<Name>>map(p -> NameTree.leaf(new Name.Unbound(p))).orElse(NameTree.neg());
    return Optional.of(tree);
  }

  private static Optional<Path> when(boolean fits, Supplier<Path> rewrite) {
    return fits ? Optional.of(rewrite.get()) : Optional.empty();
  }

  /** {@code /pfx/x/rest} without {@code x}. */
  private static Path dropSecond(Path path) {
    return path.take(1).concat(path.drop(2));
  }

  private static boolean isMethod(String s) {
    return METHOD.matcher(s).matches();
  }

  private static String text(Path path, int i) {
    return path.labelText(i);
  }

  private static boolean isHost(String s) {
    return HOST.matcher(s).matches();
  }

  private static Optional<String> subdomain(String domain, String host) {
    if (!isHost(domain) || !isHost(host)) {
      return Optional.empty();
    }
    String suffix = "." + domain;
    if (!host.endsWith(suffix) || host.length() == suffix.length()) {
      return Optional.empty();
    }
    return Optional.of(host.substring(0, host.length() - suffix.length()));
  }

  /** {@code foo.buoyant.io} as the path {@code /io/buoyant/foo}. */
  private static Path reversed(String host) {
    String[] parts = host.split("\\.");
    List<String> labels = new ArrayList<>(parts.length);
    for (int i = parts.length - 1; i >= 0; i--) {
      if (parts[i].isEmpty()) {
        throw new BindingException(
            "IllegalArgumentException",
            "requirement failed",
            "requirement failed: empty label in " + host);
      }
      labels.add(parts[i]);
    }
    return Path.utf8(labels.toArray(new String[0]));
  }

  /** {@code /pfx/host:port/rest} as {@code /pfx/host/port/rest} or {@code /pfx/port/host/rest}. */
  private static Optional<Path> hostPort(boolean hostFirst, Path path) {
    String[] hp = text(path, 1).split(":");
    if (hp.length != 2 || hp[0].isEmpty() || !SystemNamer.isInteger(hp[1])) {
      return Optional.empty();
    }
    int port = Integer.parseInt(hp[1]);
    if (port <= 0 || port >= 65536) {
      return Optional.empty();
    }
    String portText = Integer.toString(port);
    Path pair = hostFirst ? Path.utf8(hp[0], portText) : Path.utf8(portText, hp[0]);
    return Optional.of(path.take(1).concat(pair).concat(path.drop(2)));
  }

  /** {@code /<port>/<host>[/rest]}: the endpoint, id {@code /$/io.buoyant.rinet/<port>/<host>}. */
  private static NameTree<Name> rinet(Path path) {
    if (path.size() < 2) {
      return NameTree.neg();
    }
    String port = text(path, 0);
    if (!SystemNamer.isInteger(port)) {
      throw new BindingException(
          "IllegalArgumentException",
          "bad port: " + port,
          "io.buoyant.rinet: bad port " + port + " in " + path.show());
    }
    Path swapped = path.drop(1).take(1).concat(path.take(1)).concat(path.drop(2));
    NameTree<Name> leaf = SystemNamer.inetLeaf(RINET, swapped);
    if (leaf instanceof NameTree.Leaf<Name> l && l.value() instanceof Name.Resolved r) {
      BoundName b = r.bound();
      BoundName asWritten = new BoundName(RINET.concat(path.take(2)), b.residual(), b.addr());
      return NameTree.leaf(new Name.Resolved(asWritten));
    }
    return NameTree.neg();
  }
}
