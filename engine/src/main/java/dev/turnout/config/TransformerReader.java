package dev.turnout.config;

import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An interpreter's {@code transformers:} list (see {@link TransformerConfig}), with Linkerd's keys:
 * {@code kind}, an optional {@code prefix} (under {@code /%}), and per kind {@code port} (io.l5d.port),
 * {@code host} (io.l5d.specificHost) or {@code path} (io.l5d.replace, io.l5d.const), {@code namespace},
 * {@code service}, {@code port}, {@code k8sHost}, {@code k8sPort}, {@code hostNetwork}
 * (io.l5d.k8s.daemonset), {@code hostNetwork} (io.l5d.k8s.localnode).
 *
 * <p>A kind Turnout lacks is {@link Unimplemented}, not a warning: a namer left out makes its names Neg, which a dtab can fall
 * back from and a request reports as 502, but a transformer left out routes on, silently, to other
 * endpoints than the config says (an outgoing router straight to the service instead of through the
 * linker on its host, an incoming one to instances on other hosts). Its router is refused, or left
 * out with {@code --skip-unimplemented}, as a router of another protocol is.
 */
final class TransformerReader {
  private TransformerReader() {}

  /** The transformers in order, or empty when one of them is not implemented (already recorded). */
  static Optional<List<TransformerConfig>> readAll(ConfigContext context, YamlNode list) {
    List<TransformerConfig> out = new ArrayList<>();
    boolean complete = true;
    for (int i = 0; i < list.size(); i++) {
      Optional<TransformerConfig> t = read(context, list.at(i));
      t.ifPresent(out::add);
      complete &= t.isPresent();
    }
    return complete ? Optional.of(out) : Optional.empty();
  }

  private static Optional<TransformerConfig> read(ConfigContext context, YamlNode n) {
    String kind = n.requiredText("kind");
    switch (kind) {
      case TransformerConfig.Port.KIND:
        n.only("kind", "prefix", "port");
        int port = port(n);
        return Optional.of(new TransformerConfig.Port(prefix(n, Path.of(kind, Integer.toString(port))), port));
      case TransformerConfig.Localhost.KIND:
        n.only("kind", "prefix");
        return Optional.of(new TransformerConfig.Localhost(prefix(n, Path.of(kind))));
      case TransformerConfig.SpecificHost.KIND:
        n.only("kind", "prefix", "host");
        return Optional.of(new TransformerConfig.SpecificHost(prefix(n, Path.of(kind)), n.requiredText("host")));
      case TransformerConfig.Replace.KIND:
        n.only("kind", "prefix", "path");
        return Optional.of(new TransformerConfig.Replace(prefix(n, Path.of(kind)), n.requiredPath("path")));
      case TransformerConfig.Const.KIND:
        n.only("kind", "prefix", "path");
        return Optional.of(new TransformerConfig.Const(prefix(n, Path.of(kind)), n.requiredPath("path")));
      case TransformerConfig.K8sDaemonSet.KIND: {
        n.only("kind", "prefix", "namespace", "service", "port", "k8sHost", "k8sPort", "hostNetwork");
        String ns = n.requiredText("namespace");
        String svc = n.requiredText("service");
        String p = n.requiredText("port");
        int k8sPort = n.port("k8sPort", 8001);
        if (k8sPort == 0) {
          throw new ConfigException(n.get("k8sPort").path + ": must be 1-65535");
        }
        return Optional.of(
            new TransformerConfig.K8sDaemonSet(
                prefix(n, Path.of(kind, ns, p, svc)), ns, svc, p, n.text("k8sHost", "localhost"), k8sPort, n.bool("hostNetwork", false)));
      }
      case TransformerConfig.K8sLocalNode.KIND:
        n.only("kind", "prefix", "hostNetwork");
        return Optional.of(new TransformerConfig.K8sLocalNode(prefix(n, Path.of(kind)), n.bool("hostNetwork", false)));
      default:
        context.add(
            new Unimplemented(
                Unimplemented.Kind.ROUTER,
                n.path + ".kind",
                "transformer kind " + kind + " is not implemented by Turnout"
                    + (kind.startsWith("io.l5d.k8s.") ? " (it comes with the Kubernetes namer)" : "")
                    + ", and without it the router would send to other endpoints than the config says",
                "remove this router, or start with --skip-unimplemented to run the others without it"));
        return Optional.empty();
    }
  }

  /** {@code port:} is required and names a real port: 0 ("any free port") means nothing here. */
  private static int port(YamlNode n) {
    if (!n.has("port")) {
      throw new ConfigException(n.get("port").path + ": is required");
    }
    long v = n.integer("port", 0);
    if (v < 1 || v > 65535) {
      throw new ConfigException(n.get("port").path + ": must be 1-65535");
    }
    return (int) v;
  }

  /** {@code /%} followed by the configured {@code prefix:}, or by the kind's default. */
  private static Path prefix(YamlNode n, Path dflt) {
    Path configured = n.path("prefix", dflt);
    if (configured.isEmpty()) {
      throw new ConfigException(n.get("prefix").path + ": must name at least one label, not /");
    }
    return TransformerConfig.transformed(configured);
  }
}
