package dev.turnout.tls;

import dev.turnout.config.ClientTlsConfig;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
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
 * <p>{@link #context()} expects the block's own {@code commonName}; {@link #named} gives a view of the
 * same loaded files expecting another name (a destination's, Linkerd's per-prefix {@code commonName}
 * with its {@code {captures}} filled in), one view per name, so that pools keyed by it never mix two
 * names. {@link #load} reads the files at once; {@link #deferred} at the first handshake, for files
 * whose paths are known only per destination. A JDK {@code HttpClient} takes {@code
 * sslContext(tls.context())} and {@code sslParameters(tls.parameters())}; its own check of the URI's
 * host is replaced by the name check here.
 */
public final class ClientTls {
  /** More names than any config's destinations: past it the cache starts again, never grows without end. */
  private static final int MAX_CONTEXTS = 1024;
  /** How long a deferred block whose files could not be read waits before it reads them again. */
  static final Duration RETRY = Duration.ofSeconds(5);

  private final ClientTlsConfig config;
  private final Material material;

  /**
   * What every name's view of one block shares: the block's files once loaded, the contexts built
   * on them, and why a handshake refused a peer.
   */
  private static final class Material {
    final String where;
    final ClientTlsConfig config;
    final Clock clock;
    final List<String> protocols;
    /** Called with the block once its files are loaded (to watch them), for a deferred block. */
    final Consumer<ClientTls> loadedHook;
    final Map<String, SSLContext> byName = new ConcurrentHashMap<>();
    final Map<String, ClientTls> views = new ConcurrentHashMap<>();
    /** Why an engine's peer was refused, until its driver asks; weak, so an engine nobody asks about goes. */
    final Map<SSLEngine, String> refusals = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    volatile Loaded loaded;
    /** Why the last load of a deferred block failed, and when it may be tried again; guarded by this. */
    String problem;
    long retryAt;

    Material(String where, ClientTlsConfig config, Clock clock, Consumer<ClientTls> loadedHook) {
      this.where = where;
      this.config = config;
      this.clock = clock;
      this.protocols = Protocols.protocols(where, config.protocols());
      this.loadedHook = loadedHook;
    }
  }

  /** The managers of a loaded block, swapped in place when its files are reloaded. */
  private record Loaded(
      Optional<Swapping.TrustManager> anchors, Optional<Swapping.KeyManager> clientKey, SSLContext unchecked) {}

  private ClientTls(Material material, ClientTlsConfig config) {
    this.material = material;
    this.config = config;
  }

  /**
   * Reads and checks every file the block names.
   *
   * @param where the block's YAML path ({@code routers[0].interpreter.tls}), which starts every error
   * @throws TlsException naming the key, the file and the problem
   * @throws IllegalArgumentException when the block is disabled
   */
  public static ClientTls load(ClientTlsConfig config, String where, Clock clock) {
    ClientTls tls = deferred(config, where, clock, t -> {});
    try {
      tls.loaded();
    } catch (TlsException e) {
      throw (TlsException) e.getCause(); // at start-up, the file's own line
    }
    tls.context();
    return tls;
  }

  /**
   * The block, its files read at its first handshake rather than now: for a destination whose file
   * paths hold captures, known only once it is used. A file that cannot be used then makes {@link
   * #context()} throw {@link TlsException} (that handshake's failure), and is read again at a
   * handshake {@link #RETRY} later, so a file put in place afterwards is taken up without a restart.
   * {@code loaded} gets the block once its files are in force (to have them watched).
   *
   * @throws IllegalArgumentException when the block is disabled or its {@code protocols} are unknown
   */
  public static ClientTls deferred(ClientTlsConfig config, String where, Clock clock, Consumer<ClientTls> loaded) {
    if (!config.enabled()) {
      throw new IllegalArgumentException(where + ": tls is disabled (enabled: false); there is nothing to load");
    }
    return new ClientTls(new Material(where, config, clock, loaded), config);
  }

  /**
   * The same block and files expecting {@code commonName} instead (a destination's name, its captures
   * filled in): one view per name, kept, so that connections for one name share a pool and
   * connections for two never do.
   */
  public ClientTls named(String commonName) {
    if (config.commonName().filter(commonName::equals).isPresent()) {
      return this;
    }
    ClientTlsConfig c = material.config;
    return material.views.computeIfAbsent(commonName, n -> new ClientTls(material, new ClientTlsConfig(
        c.enabled(), c.disableValidation(), Optional.of(n), c.trustCerts(), c.trustCertsBundle(), c.clientAuth(),
        c.protocols())));
  }

  /**
   * A context expecting the block's {@code commonName} (or checking nothing, with disableValidation).
   *
   * @throws TlsException when the block is deferred and its files cannot be used
   */
  public SSLContext context() {
    return config.disableValidation() ? loaded().unchecked() : context(config.commonName().orElseThrow());
  }

  /**
   * A context whose peers must present a certificate for {@code name}; one per name, kept.
   *
   * @throws TlsException when the block is deferred and its files cannot be used
   */
  public SSLContext context(String name) {
    Loaded l = loaded();
    if (config.disableValidation()) {
      return l.unchecked();
    }
    Map<String, SSLContext> byName = material.byName;
    SSLContext c = byName.get(name);
    if (c == null) {
      if (byName.size() >= MAX_CONTEXTS) {
        byName.clear();
      }
      X509ExtendedTrustManager pkix = l.anchors().<X509ExtendedTrustManager>map(a -> a).orElseGet(Trust::system);
      c = byName.computeIfAbsent(name, n -> build(l.clientKey(), Trust.expectingName(pkix, n, material.refusals::put)));
    }
    return c;
  }

  /** Whether the block's files are read and in force (a deferred block's are after its first use). */
  public boolean isLoaded() {
    return material.loaded != null;
  }

  /** The managers, read from the files on the first call (or after {@link #RETRY}, when that failed). */
  private Loaded loaded() {
    Loaded l = material.loaded;
    if (l != null) {
      return l;
    }
    synchronized (material) {
      if (material.loaded != null) {
        return material.loaded;
      }
      long now = material.clock.millis();
      if (material.problem != null && now < material.retryAt) {
        throw new TlsException(material.problem);
      }
      try {
        ClientTlsConfig c = material.config;
        Optional<Swapping.TrustManager> anchors = c.disableValidation() || trustFiles().isEmpty()
            ? Optional.empty()
            : Optional.of(new Swapping.TrustManager(anchorsNow()));
        Optional<Swapping.KeyManager> clientKey =
            c.clientAuth().map(a -> new Swapping.KeyManager(clientKeyNow(a).keyManager()));
        SSLContext unchecked = c.disableValidation() ? build(clientKey, Trust.insecure()) : null;
        material.loaded = new Loaded(anchors, clientKey, unchecked);
        material.problem = null;
      } catch (TlsException e) {
        // Said at a request's failure, where the reader needs to be told that TLS is what failed.
        material.problem = "TLS cannot be set up: " + e.getMessage();
        material.retryAt = now + RETRY.toMillis();
        throw new TlsException(material.problem, e);
      }
    }
    material.loadedHook.accept(this);
    return material.loaded;
  }

  /**
   * Why the peer of {@code engine} (made from one of these contexts) was refused, once: its chain led
   * to no trusted certificate, or its certificate is for another name. Empty when it was not refused
   * here (the handshake failed some other way).
   */
  public Optional<String> refusal(SSLEngine engine) {
    return Optional.ofNullable(material.refusals.remove(engine));
  }

  /** The block's protocols (else TLS 1.3 and 1.2), and the {@code commonName} as SNI when it is a host name. */
  public SSLParameters parameters() {
    SSLParameters p = new SSLParameters();
    p.setProtocols(material.protocols.toArray(new String[0]));
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
    return material.protocols;
  }

  public Optional<String> commonName() {
    return config.commonName();
  }

  public String where() {
    return material.where;
  }

  Watched watched() {
    List<Path> files = new ArrayList<>();
    ClientTlsConfig config = material.config;
    if (!config.disableValidation()) {
      files.addAll(trustFiles());
    }
    config.clientAuth().ifPresent(a -> {
      files.add(a.certPath());
      files.add(a.keyPath());
      a.intermediateCertsPath().ifPresent(files::add);
    });
    return new Watched(material.where, files, this::reload);
  }

  /** Reads the files again; only a loaded block is watched, so there is something to swap. */
  private void reload() {
    Loaded l = material.loaded;
    Optional<X509ExtendedTrustManager> trust = l.anchors().map(a -> anchorsNow());
    Optional<KeyMaterial> key = material.config.clientAuth().map(this::clientKeyNow);
    trust.ifPresent(t -> l.anchors().orElseThrow().swap(t));
    key.ifPresent(k -> l.clientKey().orElseThrow().swap(k.keyManager()));
  }

  private List<Path> trustFiles() {
    List<Path> files = new ArrayList<>(material.config.trustCerts());
    material.config.trustCertsBundle().ifPresent(files::add);
    return files;
  }

  private X509ExtendedTrustManager anchorsNow() {
    String key = material.config.trustCertsBundle().isPresent() ? ".trustCertsBundle" : ".trustCerts";
    return Trust.anchoredAt(material.where + key, trustFiles());
  }

  private KeyMaterial clientKeyNow(ClientTlsConfig.ClientAuth a) {
    return KeyMaterial.load(
        material.where + ".clientAuth", a.certPath(), a.keyPath(), a.intermediateCertsPath(), material.clock);
  }

  private SSLContext build(Optional<Swapping.KeyManager> clientKey, X509ExtendedTrustManager trust) {
    try {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(
          clientKey.map(k -> new KeyManager[] {k}).orElse(new KeyManager[0]),
          new TrustManager[] {trust},
          null);
      return c;
    } catch (GeneralSecurityException e) {
      throw new TlsException(material.where + ": the JDK refused this TLS setup: " + e.getMessage(), e);
    }
  }
}
