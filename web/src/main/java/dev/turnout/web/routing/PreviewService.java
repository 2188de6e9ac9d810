package dev.turnout.web.routing;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.naming.DelegateTree;

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
}
