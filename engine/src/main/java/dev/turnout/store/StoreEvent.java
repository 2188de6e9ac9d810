package dev.turnout.store;

/**
 * A committed change, published after its transaction has committed: {@code version} is the new
 * current version of {@code namespace}, or, for a deletion, the version that recorded it.
 */
public record StoreEvent(String namespace, DtabVersion version, Kind kind) {
  public enum Kind {
    CREATED,
    UPDATED,
    DELETED
  }
}
