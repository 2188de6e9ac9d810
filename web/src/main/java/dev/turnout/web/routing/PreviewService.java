package dev.turnout.web.routing;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.naming.DelegateTree;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.NamerStatus;
import java.util.List;
import java.util.Optional;

/**
 * Delegates a path under a draft dtab without committing it: the same delegation code as routing, so
 * the preview never has its own idea of where traffic goes (ARCHITECTURE: "Preview").
 */
public interface PreviewService {

  /**
   * The delegation tree of {@code path} in {@code namespace} when its dtab is {@code dtab} (replacing,
   * not extending, the stored one). Errors become {@link DelegateTree.Exception} nodes.
   */
  DelegateTree delegate(String namespace, Dtab dtab, Path path);

  /** The configured namers, in mount order; the system namer for {@code /$} is not among them. */
  default List<Interpreter.Mount> namers() {
    return List.of();
  }

  /**
   * Where the bound name {@code id} comes from: the status of the namer whose mount prefix starts it
   * (the longest such prefix), when that namer reports one.
   */
  default Optional<NamerStatus> source(Path id) {
    Interpreter.Mount best = null;
    for (Interpreter.Mount m : namers()) {
      if (id.startsWith(m.prefix()) && (best == null || m.prefix().size() > best.prefix().size())) {
        best = m;
      }
    }
    return best == null ? Optional.empty() : best.namer().status();
  }
}
