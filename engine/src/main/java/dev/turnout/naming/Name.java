package dev.turnout.naming;

import dev.turnout.dtab.Path;

/**
 * What a namer answers for a path, leaf by leaf: either a final {@link BoundName}, or a new {@link
 * Unbound} path that binding looks up again through the dtab (as the {@code /$/io.buoyant.http...}
 * rewriting namers do).
 */
public sealed interface Name permits Name.Unbound, Name.Resolved {

  record Unbound(Path path) implements Name {}

  record Resolved(BoundName bound) implements Name {}
}
