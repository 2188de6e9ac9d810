package dev.turnout.naming;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;

/**
 * Resolves the paths under its mount point. {@link #lookup(Path)} gets the path with the mount prefix
 * already removed ({@code /users/rest} for {@code /#/io.l5d.fs/users/rest}) and answers at once from
 * its current state, never blocking: {@code Neg} when it knows no such name, a tree of {@link Name}s
 * otherwise.
 *
 * <p>A namer whose answers can change (files appearing, endpoints moving) reports it through {@link
 * #generation()} and {@link #onChange(Runnable)}, so callers can drop cached bindings.
 */
public interface Namer {

  NameTree<Name> lookup(Path path);

  /** Increases every time an answer of {@link #lookup(Path)} may have changed. */
  default long generation() {
    return 0;
  }

  /** Runs {@code listener} after each change of {@link #generation()}; closing stops it. */
  default AutoCloseable onChange(Runnable listener) {
    return () -> {};
  }

  /**
   * Where this namer's answers come from and how current they are; empty for a namer with no
   * registry behind it (the system namer's literal addresses).
   */
  default java.util.Optional<NamerStatus> status() {
    return java.util.Optional.empty();
  }

  /**
   * The names this namer follows now, by bound id ({@code /#/io.l5d.fs/users}), each with its current
   * endpoint set: what the dashboard's namers panel lists. Empty for a namer that follows nothing of its
   * own.
   */
  default java.util.Map<Path, Addr> names() {
    return java.util.Map.of();
  }
}
