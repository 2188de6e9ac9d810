package dev.turnout.web.editor;

import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.Path;
import dev.turnout.naming.DelegateTree;
import dev.turnout.naming.Interpreter;
import dev.turnout.web.routing.PreviewService;
import java.util.function.Function;

/**
 * The {@link dev.turnout.web.routing.InterpreterPreview} under the name {@code app/TurnoutServer} still
 * builds it by. It stays only until that class, which is being rewritten elsewhere, imports the one in
 * {@code web.routing}; it adds nothing.
 */
public final class InterpreterPreview implements PreviewService {
  private final PreviewService preview;

  public InterpreterPreview(Interpreter interpreter, Function<String, Dtab> routerDtab) {
    this.preview = new dev.turnout.web.routing.InterpreterPreview(interpreter, routerDtab);
  }

  @Override
  public DelegateTree delegate(String namespace, Dtab dtab, Path path) {
    return preview.delegate(namespace, dtab, path);
  }
}
