package dev.turnout.tls;

import dev.turnout.config.ClientTlsConfig;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS towards peers, built from an enabled {@link ClientTlsConfig}. Each context validates the
 * peer's chain against the block's trusted certificates and checks that the peer's certificate is
 * for the expected name, whatever address was dialled, as Linkerd checks {@code commonName}; with
 * {@code disableValidation} it checks nothing. A {@link TlsReloader} may replace the trusted
 * certificates and the {@code clientAuth} certificate for later handshakes of every context.
 *
 * <p>{@link #context()} expects the block's own {@code commonName}; {@link #context(String)} another
 * name, for a destination whose name the caller worked out (Linkerd's per-prefix {@code commonName}
 * with its {@code {captures}} filled in). A JDK {@code HttpClient} takes {@code
 * sslContext(tls.context())} and {@code sslParameters(tls.parameters())}; its own check of the URI's
 * host is replaced by the name check here.
 */
public final class ClientTls {
  /** More names than any config's destinations: past it the cache starts again, never grows without end. */
  private static final int MAX_CONTEXTS = 1024;

  private final String where;
  private final ClientTlsConfig config;
  private final Clock clock;
  private final List<String> protocols;
  private final Optional<Swapping.TrustManager> anchors;
  private final Optional<Swapping.KeyManager> clientKey;
  private final Map<String, SSLContext> byName = new ConcurrentHashMap<>();
  private final SSLContext unchecked;
  /** Why an engine's peer was refused, until its driver asks; weak, so an engine nobody asks about goes. */
  private final Map<SSLEngine, String> refusals = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private ClientTls(String where, ClientTlsConfig config, Clock clock) {
    if (!config.enabled()) {
      throw new IllegalArgumentException(where + ": tls is disabled (enabled: false); there is nothing to load");
    }
    this.where = where;
    this.config = config;
    this.clock = clock;
    this.protocols = Protocols.protocols(where, config.protocols());
    this.anchors = config.disableValidation() || trustFiles().isEmpty()
        ? Optional.empty()
        : Optional.of(new Swapping.TrustManager(anchorsNow()));
    this.clientKey = config.clientAuth().map(a -> new Swapping.KeyManager(clientKeyNow(a).keyManager()));
    this.unchecked = config.disableValidation() ? build(Trust.insecure()) : null;
    context();
  }

  /**
   * Reads and checks every file the block names.
   *
   * @param where the block's YAML path ({@code routers[0].interpreter.tls}), which starts every error
   * @throws TlsException naming the key, the file and the problem
   * @throws IllegalArgumentException when the block is disabled
   */
  public static ClientTls load(ClientTlsConfig config, String where, Clock clock) {
    return new ClientTls(where, config, clock);
  }

  /** A context expecting the block's {@code commonName} (or checking nothing, with disableValidation). */
  public SSLContext context() {
    return config.disableValidation() ? unchecked : context(config.commonName().orElseThrow());
  }

  /** A context whose peers must present a certificate for {@code name}; one per name, kept. */
  public SSLContext context(String name) {
    if (config.disableValidation()) {
      return unchecked;
    }
    SSLContext c = byName.get(name);
    if (c == null) {
      if (byName.size() >= MAX_CONTEXTS) {
        byName.clear();
      }
      X509ExtendedTrustManager pkix = anchors.<X509ExtendedTrustManager>map(a -> a).orElseGet(Trust::system);
      c = byName.computeIfAbsent(name, n -> build(Trust.expectingName(pkix, n, refusals::put)));
    }
    return c;
  }

  /**
   * Why the peer of {@code engine} (made from one of these contexts) was refused, once: its chain led
   * to no trusted certificate, or its certificate is for another name. Empty when it was not refused
   * here (the handshake failed some other way).
   */
  public Optional<String> refusal(SSLEngine engine) {
    return Optional.ofNullable(refusals.remove(engine));
  }

  /** The block's protocols (else TLS 1.3 and 1.2), and the {@code commonName} as SNI when it is a host name. */
  public SSLParameters parameters() {
    SSLParameters p = new SSLParameters();
    p.setProtocols(protocols.toArray(new String[0]));
    config.commonName()
        .filter(n -> !n.isEmpty() && Character.isLetter(n.charAt(n.length() - 1)) && n.indexOf('{') < 0)
        .ifPresent(n -> p.setServerNames(List.of(new SNIHostName(n))));
    return p;
  }

  /** {@code builder} set to this TLS, expecting the block's {@code commonName}. */
  public java.net.http.HttpClient.Builder applyTo(java.net.http.HttpClient.Builder builder) {
    return builder.sslContext(context()).sslParameters(parameters());
  }

  /** The URI scheme of HTTP over this TLS, or over none. */
  public static String scheme(Optional<ClientTls> tls) {
    return tls.isPresent() ? "https" : "http";
  }

  public List<String> protocols() {
    return protocols;
  }

  public Optional<String> commonName() {
    return config.commonName();
  }

  public String where() {
    return where;
  }

  Watched watched() {
    List<Path> files = new ArrayList<>();
    if (!config.disableValidation()) {
      files.addAll(trustFiles());
    }
    config.clientAuth().ifPresent(a -> {
      files.add(a.certPath());
      files.add(a.keyPath());
      a.intermediateCertsPath().ifPresent(files::add);
    });
    return new Watched(where, files, this::reload);
  }

  private void reload() {
    Optional<X509ExtendedTrustManager> trust = anchors.map(a -> anchorsNow());
    Optional<KeyMaterial> key = config.clientAuth().map(this::clientKeyNow);
    trust.ifPresent(t -> anchors.orElseThrow().swap(t));
    key.ifPresent(k -> clientKey.orElseThrow().swap(k.keyManager()));
  }

  private List<Path> trustFiles() {
    List<Path> files = new ArrayList<>(config.trustCerts());
    config.trustCertsBundle().ifPresent(files::add);
    return files;
  }

  private X509ExtendedTrustManager anchorsNow() {
    String key = config.trustCertsBundle().isPresent() ? ".trustCertsBundle" : ".trustCerts";
    return Trust.anchoredAt(where + key, trustFiles());
  }

  private KeyMaterial clientKeyNow(ClientTlsConfig.ClientAuth a) {
    return KeyMaterial.load(where + ".clientAuth", a.certPath(), a.keyPath(), a.intermediateCertsPath(), clock);
  }

  private SSLContext build(X509ExtendedTrustManager trust) {
    try {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(
          clientKey.map(k -> new KeyManager[] {k}).orElse(new KeyManager[0]),
          new TrustManager[] {trust},
          null);
      return c;
    } catch (GeneralSecurityException e) {
      throw new TlsException(where + ": the JDK refused this TLS setup: " + e.getMessage(), e);
    }
  }
}
