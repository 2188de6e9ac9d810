package dev.turnout.naming;

import dev.turnout.dtab.NameTree;
import dev.turnout.dtab.Path;

/**
 * {@code /$/inet} semantics under a mount point of one's choosing: {@code <host>/<port>[/rest]} binds to
 * that endpoint, {@code <port>[/rest]} to localhost, anything else is Neg. The bound id is the mount
 * prefix followed by host and port (mounted at {@code /#inet}, {@code /#inet/127.1/8080/fah} binds to id
 * {@code /#inet/127.1/8080} with residual {@code /fah}).
 */
public final class InetNamer implements Namer {
  private final Path mountPrefix;

  /** @param mountPrefix where this namer is mounted; bound ids start with it */
  public InetNamer(Path mountPrefix) {
    this.mountPrefix = mountPrefix;
  }

  @Override
  public NameTree<Name> lookup(Path path) {
    NameTree<Name> leaf = SystemNamer.inetLeaf(mountPrefix, path);
    return leaf == null ? NameTree.neg() : leaf;
  }
}
