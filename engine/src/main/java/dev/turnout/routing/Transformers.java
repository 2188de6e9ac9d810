package dev.turnout.routing;

import dev.turnout.config.TransformerConfig;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.Transformer;
import dev.turnout.naming.TransformerChain;
import dev.turnout.naming.k8s.K8sNamer;
import dev.turnout.dtab.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A router's configured transformers made into the chain binding applies, so routing and every view
 * of routing (the preview, {@code /api/1/delegate}) build it the same way. {@code replace} and {@code
 * const} bind their path with {@code interpreter}, the process's namers.
 */
public final class Transformers {
  private Transformers() {}

  /** @throws IllegalArgumentException when an io.l5d.specificHost host does not resolve */
  public static TransformerChain of(List<TransformerConfig> configs, Interpreter interpreter) {
    if (configs.isEmpty()) {
      return TransformerChain.NONE;
    }
    List<Transformer> out = new ArrayList<>(configs.size());
    for (TransformerConfig c : configs) {
      out.add(make(c, interpreter));
    }
    return new TransformerChain(out);
  }

  private static Transformer make(TransformerConfig c, Interpreter interpreter) {
    return c.accept(
        new TransformerConfig.Visitor<>() {
          @Override
          public Transformer port(TransformerConfig.Port p) {
            return Transformer.port(p.prefix(), p.port());
          }

          @Override
          public Transformer localhost(TransformerConfig.Localhost l) {
            return Transformer.localhost(l.prefix());
          }

          @Override
          public Transformer specificHost(TransformerConfig.SpecificHost h) {
            return Transformer.specificHost(h.prefix(), h.host());
          }

          @Override
          public Transformer replace(TransformerConfig.Replace r) {
            return Transformer.replace(r.prefix(), r.path(), interpreter);
          }

          @Override
          public Transformer constant(TransformerConfig.Const k) {
            return Transformer.constant(k.prefix(), k.path(), interpreter);
          }

          @Override
          public Transformer k8sDaemonSet(TransformerConfig.K8sDaemonSet d) {
            K8sNamer api = K8sNamer.shared(d.k8sHost(), d.k8sPort());
            return Transformer.k8sDaemonSet(d.prefix(), api.addr(d.namespace(), d.port(), d.service()), d.hostNetwork());
          }

          @Override
          public Transformer k8sLocalNode(TransformerConfig.K8sLocalNode l) {
            String variable = l.hostNetwork() ? "NODE_NAME" : "POD_IP";
            String local = System.getenv(variable);
            if (local == null || local.isBlank()) {
              throw new IllegalArgumentException(
                  "io.l5d.k8s.localnode: the " + variable + " environment variable must be set to this "
                      + (l.hostNetwork() ? "node's name" : "pod's IP") + " (Kubernetes' downward API)");
            }
            return Transformer.k8sLocalNode(l.prefix().concat(Path.of(local)), local, l.hostNetwork());
          }
        });
  }
}
