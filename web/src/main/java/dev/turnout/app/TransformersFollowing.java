package dev.turnout.app;

import dev.turnout.config.RouterConfig;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.TransformerChain;
import dev.turnout.routing.Transformers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The interpreter transformers of the router that follows each store namespace, built once at start,
 * so the preview and {@code /api/1/delegate/{ns}} show names as that router transforms them. The
 * first router following a namespace decides, as it does for the router dtab a preview appends.
 */
final class TransformersFollowing {
  private final Map<String, TransformerChain> byNamespace = new HashMap<>();

  TransformersFollowing(List<RouterConfig> routers, Interpreter interpreter) {
    for (RouterConfig r : routers) {
      if (r.interpreter().usesStore()) {
        byNamespace.computeIfAbsent(
            r.interpreter().namespace(), ns -> Transformers.of(r.interpreter().transformers(), interpreter));
      }
    }
  }

  /** The chain for {@code namespace}; {@link TransformerChain#NONE} when no router follows it. */
  TransformerChain get(String namespace) {
    return byNamespace.getOrDefault(namespace, TransformerChain.NONE);
  }
}
