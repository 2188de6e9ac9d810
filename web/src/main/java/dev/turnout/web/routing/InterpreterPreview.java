package dev.turnout.web.routing;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.naming.DelegateTree;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.TransformerChain;
import java.util.function.Function;

/**
 * The preview as routing sees it: the draft is delegated by the same {@link Interpreter} (the same
 * namers, with their live endpoint sets) that the routers use, followed, as a router's base dtab is, by
 * the router's own configured dtab when it has one, and rewritten by that router's interpreter
 * {@code transformers:}, so a name an outgoing router sends through {@code io.l5d.port} shows its
 * Transformation node and the linker it goes to.
 */
public final class InterpreterPreview implements PreviewService {
  private final Interpreter interpreter;
  private final Function<String, Dtab> routerDtab;
  private final Function<String, TransformerChain> routerTransformers;

  /**
   * @param routerDtab the dtab configured on the router that follows a namespace, appended after the
   *     draft ({@link Dtab#EMPTY} when none)
   * @param routerTransformers that router's transformers ({@link TransformerChain#NONE} when none)
   */
  public InterpreterPreview(
      Interpreter interpreter,
      Function<String, Dtab> routerDtab,
      Function<String, TransformerChain> routerTransformers) {
    this.interpreter = interpreter;
    this.routerDtab = routerDtab;
    this.routerTransformers = routerTransformers;
  }

  public InterpreterPreview(Interpreter interpreter, Function<String, Dtab> routerDtab) {
    this(interpreter, routerDtab, ns -> TransformerChain.NONE);
  }

  public InterpreterPreview(Interpreter interpreter) {
    this(interpreter, ns -> Dtab.EMPTY);
  }

  @Override
  public java.util.List<Interpreter.Mount> namers() {
    return interpreter.mounts().stream().filter(m -> !m.prefix().startsWith(Path.of("$"))).toList();
  }

  @Override
  public DelegateTree delegate(String namespace, Dtab dtab, Path path) {
    try {
      DelegateTree tree = interpreter.delegate(dtab.concat(routerDtab.apply(namespace)), path);
      return routerTransformers.apply(namespace).apply(tree);
    } catch (RuntimeException e) {
      return new DelegateTree.Exception(path, DelegateTree.NOP, String.valueOf(e.getMessage()));
    }
  }
}
