package dev.turnout.store;

/** What a signed-in user may do: an operator reads and writes, a viewer only reads. */
public enum Role {
  OPERATOR,
  VIEWER;

  public boolean mayWrite() {
    return this == OPERATOR;
  }
}
