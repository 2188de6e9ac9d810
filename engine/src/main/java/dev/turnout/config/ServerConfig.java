package dev.turnout.config;

/**
 * A listening socket of a router. {@code clearContext} silently drops callers' {@code l5d-dtab} and
 * {@code l5d-ctx-*} headers, as in Linkerd 1; {@code overrides} says from whom a per-request dtab
 * override is honoured at all, and refuses it (400) from everyone else. {@code tls}: the socket
 * speaks TLS only, and a plaintext caller gets no HTTP answer. {@code h2}: what an h2 router's server
 * announces in its SETTINGS; ignored by http routers.
 */
public record ServerConfig(
    String ip,
    int port,
    boolean clearContext,
    Overrides overrides,
    java.util.Optional<ServerTlsConfig> tls,
    H2Settings h2) {

  /** Who may steer a request with {@code l5d-dtab} or {@code l5d-ctx-dtab} on this server. */
  public enum Overrides {
    /** Anyone (Linkerd 1's behaviour): for servers whose every caller is trusted. */
    ACCEPT,
    /** Only callers on this host; anyone else who sends one is refused. */
    LOOPBACK,
    /** No one: a request that carries one is refused. */
    REFUSE
  }

  public ServerConfig {
    if (overrides == null) {
      throw new IllegalArgumentException("overrides must be accept, loopback or refuse");
    }
    if (tls == null) {
      throw new IllegalArgumentException("tls is Optional.empty() for plaintext, not null");
    }
    if (h2 == null) {
      throw new IllegalArgumentException("h2 is H2Settings.DEFAULT when not configured, not null");
    }
  }

  /** A server with the default HTTP/2 settings (used by h2 routers only). */
  public ServerConfig(
      String ip, int port, boolean clearContext, Overrides overrides, java.util.Optional<ServerTlsConfig> tls) {
    this(ip, port, clearContext, overrides, tls, H2Settings.DEFAULT);
  }

  /** A plaintext server. */
  public ServerConfig(String ip, int port, boolean clearContext, Overrides overrides) {
    this(ip, port, clearContext, overrides, java.util.Optional.empty());
  }

  /** A server that accepts overrides from anyone, as Linkerd 1's do. */
  public ServerConfig(String ip, int port, boolean clearContext) {
    this(ip, port, clearContext, Overrides.ACCEPT);
  }

  public ServerConfig withPort(int port) {
    return new ServerConfig(ip, port, clearContext, overrides, tls, h2);
  }
}
