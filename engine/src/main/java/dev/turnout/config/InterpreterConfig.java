package dev.turnout.config;

/**
 * Where a router's base dtab comes from: {@code default} (only the router's own {@code dtab:}) or
 * {@code store} (the store namespace {@code namespace}, live, followed by the router's own dtab).
 * Linkerd's {@code io.l5d.namerd} and Turnout's {@code turnout.store} both mean {@code store}.
 */
public record InterpreterConfig(String kind, String namespace) {
  public static final String DEFAULT = "default";
  public static final String STORE = "store";

  public boolean usesStore() {
    return STORE.equals(kind);
  }
}
