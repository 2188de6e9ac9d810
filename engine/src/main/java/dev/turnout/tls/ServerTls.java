package dev.turnout.tls;

import dev.turnout.config.ServerTlsConfig;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;

/**
 * A listening port's TLS, built from a {@link ServerTlsConfig}: one {@link SSLContext} for the life
 * of the port, whose key (and, with {@code requireClientAuth}, trust) material a {@link TlsReloader}
 * may replace for later handshakes. A server hands {@link #context()} to its listener and applies
 * {@link #protocols()}, {@link #ciphers()} and {@link #requireClientAuth()} (or {@link
 * #parameters()}) to every engine.
 *
 * <p>A reload also makes a new {@link SSLContext} over the same swapped managers and hands it to
 * {@link #onReload} listeners. A server that installs it (Jetty's {@code SslContextFactory.reload},
 * Undertow's {@code ListenerInfo.setSslContext}) stops resuming sessions begun on the old certificate:
 * the JDK's TLS 1.3 session tickets are sealed with keys of their context, so a client holding one
 * would otherwise resume without ever seeing the new certificate. A server that keeps the first
 * context still presents the new certificate on every full handshake.
 *
 * <p>Example: {@code ServerTls tls = reloader.watch(ServerTls.load(config, "admin.tls", clock));}
 * then Undertow's {@code addHttpsListener(port, ip, tls.context())} and {@code
 * tls.onReload(listener::setSslContext)}.
 */
public final class ServerTls {
  private final String where;
  private final ServerTlsConfig config;
  private final Clock clock;
  private final java.util.concurrent.atomic.AtomicReference<SSLContext> context;
  private final List<java.util.function.Consumer<SSLContext>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Swapping.KeyManager keys;
  private final Optional<Swapping.TrustManager> clientCas;
  private final List<String> protocols;
  private final List<String> ciphers;

  private ServerTls(String where, ServerTlsConfig config, Clock clock) {
    this.where = where;
    this.config = config;
    this.clock = clock;
    this.protocols = Protocols.protocols(where, config.protocols());
    this.ciphers = Protocols.ciphers(where, config.ciphers());
    this.keys = new Swapping.KeyManager(keyMaterial().keyManager());
    this.clientCas = config.requireClientAuth()
        ? Optional.of(new Swapping.TrustManager(clientTrust()))
        : Optional.empty();
    this.context = new java.util.concurrent.atomic.AtomicReference<>(newContext());
  }

  private SSLContext newContext() {
    try {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(
          new javax.net.ssl.KeyManager[] {keys},
          clientCas.map(t -> new TrustManager[] {t}).orElse(null),
          null);
      return c;
    } catch (GeneralSecurityException e) {
      throw new TlsException(where + ": the JDK refused this TLS setup: " + e.getMessage(), e);
    }
  }

  /**
   * Reads and checks every file the block names.
   *
   * @param where the block's YAML path ({@code admin.tls}), which starts every error message
   * @param clock what "now" is when checking that the certificates are valid
   * @throws TlsException naming the key, the file and the problem
   */
  public static ServerTls load(ServerTlsConfig config, String where, Clock clock) {
    return new ServerTls(where, config, clock);
  }

  /** The context for new connections: the one made at the last reload. */
  public SSLContext context() {
    return context.get();
  }

  /** Calls {@code listener} with the new context after each reload, on the reloader's thread. */
  public void onReload(java.util.function.Consumer<SSLContext> listener) {
    listeners.add(listener);
  }

  /** TLS versions to enable: the block's {@code protocols}, else TLS 1.3 and 1.2. */
  public List<String> protocols() {
    return protocols;
  }

  /** Cipher suites to enable; empty: the JDK's defaults. */
  public List<String> ciphers() {
    return ciphers;
  }

  public boolean requireClientAuth() {
    return config.requireClientAuth();
  }

  /** The parameters every engine of this port is set to. */
  public SSLParameters parameters() {
    SSLParameters p = context().getDefaultSSLParameters();
    p.setProtocols(protocols.toArray(new String[0]));
    if (!ciphers.isEmpty()) {
      p.setCipherSuites(ciphers.toArray(new String[0]));
    }
    p.setNeedClientAuth(config.requireClientAuth());
    return p;
  }

  /** The YAML path this TLS was configured at. */
  public String where() {
    return where;
  }

  Watched watched() {
    List<java.nio.file.Path> files = new ArrayList<>(List.of(config.certPath(), config.keyPath()));
    config.intermediateCertsPath().ifPresent(files::add);
    if (config.requireClientAuth()) {
      config.caCertPath().ifPresent(files::add);
    }
    return new Watched(where, files, this::reload);
  }

  /** Loads the files again and puts them in force for the handshakes that start from now on. */
  private void reload() {
    KeyMaterial material = keyMaterial();
    Optional<javax.net.ssl.X509ExtendedTrustManager> trust = clientCas.map(t -> clientTrust());
    keys.swap(material.keyManager());
    clientCas.ifPresent(t -> t.swap(trust.orElseThrow()));
    // Sessions cached by the old context would resume on the old certificate's identity.
    SSLSessionContext sessions = context().getServerSessionContext();
    for (byte[] id : Collections.list(sessions.getIds())) {
      Optional.ofNullable(sessions.getSession(id)).ifPresent(s -> s.invalidate());
    }
    SSLContext next = newContext();
    context.set(next);
    for (java.util.function.Consumer<SSLContext> l : listeners) {
      l.accept(next);
    }
  }

  private KeyMaterial keyMaterial() {
    return KeyMaterial.load(where, config.certPath(), config.keyPath(), config.intermediateCertsPath(), clock);
  }

  private javax.net.ssl.X509ExtendedTrustManager clientTrust() {
    return config.caCertPath()
        .map(ca -> Trust.anchoredAt(where + ".caCertPath", List.of(ca)))
        .orElseGet(Trust::system);
  }
}
