package dev.turnout.web.routing;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;
import dev.turnout.naming.Addr;
import dev.turnout.naming.BoundName;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.Name;
import dev.turnout.naming.Namer;
import dev.turnout.naming.Var;
import java.util.List;

/**
 * A namer mounted at {@code /#} that knows every name: {@code /#/io.l5d.fs/users} binds to itself, with
 * no endpoints yet. Under it the real interpreter shows which dentries a name goes through and how a
 * union splits traffic, without files or a discovery service; {@code /$/...} names go to the system
 * namer as in production.
 */
public final class NamesBoundToThemselves implements Namer {
  private static final Path MOUNT = Path.of("#");

  /** The preview the dashboard tests run on: the real interpreter over this namer. */
  public static PreviewService preview() {
    return new InterpreterPreview(
        new Interpreter(List.of(new Interpreter.Mount(MOUNT, new NamesBoundToThemselves()))));
  }

  @Override
  public NameTree<Name> lookup(Path path) {
    if (path.isEmpty()) {
      return NameTree.neg();
    }
    BoundName self = new BoundName(MOUNT.concat(path), Path.EMPTY, new Var<>(new Addr.Bound(List.of())));
    return NameTree.leaf(new Name.Resolved(self));
  }
}
