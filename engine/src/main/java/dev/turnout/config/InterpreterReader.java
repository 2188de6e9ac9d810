package dev.turnout.config;

import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.store.Namespaces;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A router's {@code interpreter:}, which says where its base dtab comes from (see {@link
 * InterpreterConfig}). Linkerd's namerd interpreters ({@code io.l5d.namerd}, {@code io.l5d.mesh}) and
 * Turnout's {@code turnout.store} read the namespace from this process's own store; {@code
 * io.l5d.namerd.http} with a {@code dst} follows control planes over namerd's HTTP API. A kind Turnout
 * does not implement leaves the router on its own dtab, with a warning. Every kind takes {@code
 * transformers:} (read by {@link TransformerReader}).
 */
final class InterpreterReader {
  private InterpreterReader() {}

  /**
   * The router's interpreter, or empty when a transformer it lists is not implemented: that router
   * cannot route as written (the reason is already recorded as {@link Unimplemented}).
   */
  static Optional<InterpreterConfig> read(ConfigContext context, YamlNode n) {
    InterpreterConfig kind = kind(context, n);
    return TransformerReader.readAll(context, n.get("transformers")).map(kind::withTransformers);
  }

  private static InterpreterConfig kind(ConfigContext context, YamlNode n) {
    if (n.isMissing()) {
      return new InterpreterConfig(InterpreterConfig.DEFAULT, null);
    }
    String kind = n.requiredText("kind");
    switch (kind) {
      case "default":
        n.only("kind", "transformers");
        return new InterpreterConfig(InterpreterConfig.DEFAULT, null);
      case "io.l5d.namerd":
      case "io.l5d.namerd.http":
      case "io.l5d.mesh":
      case "turnout.store":
        n.only("kind", "namespace", "dst", "retry", "experimental", "transformers", "tls");
        String ns = n.text("namespace", "default");
        if (!Namespaces.isValid(ns)) {
          throw new ConfigException(n.path + ".namespace: must match " + Namespaces.RULE + ", not '" + ns + "'");
        }
        if (kind.equals("io.l5d.namerd.http") && n.has("dst")) {
          YamlNode retry = n.get("retry");
          retry.only("baseSeconds", "maxSeconds");
          Duration base = Duration.ofSeconds(retry.positiveInt("baseSeconds", 1));
          Duration max = Duration.ofSeconds(retry.positiveInt("maxSeconds", 10));
          if (max.compareTo(base) < 0) {
            throw new ConfigException(retry.path + ".maxSeconds: must not be less than baseSeconds");
          }
          ClientTlsConfig tls = n.has("tls") ? TlsReader.client(context, n.get("tls")) : null;
          return new InterpreterConfig(
              InterpreterConfig.REMOTE,
              ns,
              controlPlanes(n.path + ".dst", n.requiredText("dst")),
              base,
              max,
              List.of(),
              Optional.ofNullable(tls).filter(ClientTlsConfig::enabled));
        }
        if (n.has("tls")) {
          context.warn(n.path + ".tls", "the namespace is read from this process's own store, with no connection to secure");
        }
        if (n.has("dst")) {
          context.warn(n.path + ".dst", "Turnout serves namespaces from its own store; dst is ignored"
              + " (io.l5d.namerd.http follows a control plane at dst)");
        }
        return new InterpreterConfig(InterpreterConfig.STORE, ns);
      default:
        context.warn(
            n.path + ".kind",
            "interpreter kind " + kind + " is not implemented by Turnout; the router routes by its own dtab only");
        return new InterpreterConfig(InterpreterConfig.DEFAULT, null);
    }
  }

  /**
   * The control planes a {@code dst} names: a {@code /$/inet/HOST/PORT} path, or several joined by
   * {@code |} (tried in order) or {@code &} (all equal; tried in the order written).
   */
  private static List<InterpreterConfig.ControlPlane> controlPlanes(String where, String dst) {
    List<InterpreterConfig.ControlPlane> out = new ArrayList<>();
    NameTree<Path> tree;
    try {
      tree = NameTree.read(dst);
    } catch (DtabParseException e) {
      throw new ConfigException(where + ": " + e.located());
    }
    collectControlPlanes(where, tree, out);
    if (out.isEmpty()) {
      throw new ConfigException(where + ": names no control plane (want /$/inet/HOST/PORT)");
    }
    return out;
  }

  private static void collectControlPlanes(
      String where, NameTree<Path> tree, List<InterpreterConfig.ControlPlane> out) {
    if (tree instanceof NameTree.Leaf<Path> leaf) {
      List<String> seg = leaf.value().labels();
      int port = -1;
      if (seg.size() == 4 && seg.get(0).equals("$") && seg.get(1).equals("inet")) {
        try {
          port = Integer.parseInt(seg.get(3));
        } catch (NumberFormatException e) {
          port = -1;
        }
      }
      if (port < 1 || port > 65535) {
        throw new ConfigException(
            where + ": " + leaf.value().show() + " is not a control plane address (want /$/inet/HOST/PORT)");
      }
      out.add(new InterpreterConfig.ControlPlane(seg.get(2), port));
    } else if (tree instanceof NameTree.Alt<Path> alt) {
      alt.trees().forEach(t -> collectControlPlanes(where, t, out));
    } else if (tree instanceof NameTree.Union<Path> union) {
      union.trees().forEach(w -> collectControlPlanes(where, w.tree(), out));
    } else {
      throw new ConfigException(where + ": must name control planes as /$/inet/HOST/PORT, not " + tree.show());
    }
  }
}
