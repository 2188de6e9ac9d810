package dev.turnout.naming;

import dev.turnout.dtab.Path;
import java.util.Objects;

/**
 * A name a namer has resolved: its {@code id} (a client name such as {@code /#/io.l5d.fs/users} or
 * {@code /$/inet/127.0.0.1/8080}), the {@code residual} path left over (sent downstream as {@code
 * l5d-dst-residual}), and its live endpoint set. Two bound names are equal when id and residual are;
 * the address variable is state, not identity.
 */
public final class BoundName {
  private final Path id;
  private final Path residual;
  private final Var<Addr> addr;

  public BoundName(Path id, Path residual, Var<Addr> addr) {
    this.id = Objects.requireNonNull(id);
    this.residual = Objects.requireNonNull(residual);
    this.addr = Objects.requireNonNull(addr);
  }

  public Path id() {
    return id;
  }

  public Path residual() {
    return residual;
  }

  public Var<Addr> addr() {
    return addr;
  }

  /** The same bound name with {@code more} appended to its residual. */
  public BoundName withResidual(Path more) {
    return more.isEmpty() ? this : new BoundName(id, residual.concat(more), addr);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BoundName b && id.equals(b.id) && residual.equals(b.residual);
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + residual.hashCode();
  }

  /** {@code id} alone, or {@code id+residual}, as the test vectors write it. */
  @Override
  public String toString() {
    return residual.isEmpty() ? id.show() : id.show() + "+" + residual.show();
  }
}
