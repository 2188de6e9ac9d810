package dev.turnout.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The key and trust managers an {@code SSLContext} is built with once, each reading the manager in
 * force from an {@link AtomicReference} at every call. A reload swaps the reference: handshakes that
 * start afterwards present and check the new material, while connections already established keep
 * the keys they negotiated, since TLS never asks a manager again after the handshake.
 */
final class Swapping {
  private Swapping() {}

  /**
   * Presents the key material in force when the handshake chose its alias. The alias handed to the
   * JDK carries the generation of the material ({@code 3/0.0.turnout}), and the chain and key are
   * looked up in that same generation, so a swap between the two lookups never pairs a new chain with
   * an old key. The generation before the current one is kept for such a handshake in flight.
   */
  static final class KeyManager extends X509ExtendedKeyManager {
    private record Generation(long number, X509ExtendedKeyManager manager, X509ExtendedKeyManager previous) {}

    private final AtomicReference<Generation> current;

    KeyManager(X509ExtendedKeyManager first) {
      current = new AtomicReference<>(new Generation(0, first, first));
    }

    void swap(X509ExtendedKeyManager next) {
      current.updateAndGet(g -> new Generation(g.number() + 1, next, g.manager()));
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      Generation g = current.get();
      return tag(g, g.manager().getClientAliases(keyType, issuers));
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      Generation g = current.get();
      return tag(g, g.manager().chooseClientAlias(keyType, issuers, socket));
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      Generation g = current.get();
      return tag(g, g.manager().chooseEngineClientAlias(keyType, issuers, engine));
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      Generation g = current.get();
      return tag(g, g.manager().getServerAliases(keyType, issuers));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      Generation g = current.get();
      return tag(g, g.manager().chooseServerAlias(keyType, issuers, socket));
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      Generation g = current.get();
      return tag(g, g.manager().chooseEngineServerAlias(keyType, issuers, engine));
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      int slash = alias == null ? -1 : alias.indexOf('/');
      X509ExtendedKeyManager m = slash < 0 ? null : managerOf(alias.substring(0, slash));
      return m == null ? null : m.getCertificateChain(alias.substring(slash + 1));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      int slash = alias == null ? -1 : alias.indexOf('/');
      X509ExtendedKeyManager m = slash < 0 ? null : managerOf(alias.substring(0, slash));
      return m == null ? null : m.getPrivateKey(alias.substring(slash + 1));
    }

    private X509ExtendedKeyManager managerOf(String generation) {
      Generation g = current.get();
      if (generation.equals(Long.toString(g.number()))) {
        return g.manager();
      }
      return generation.equals(Long.toString(g.number() - 1)) ? g.previous() : null;
    }

    private static String tag(Generation g, String alias) {
      return alias == null ? null : g.number() + "/" + alias;
    }

    private static String[] tag(Generation g, String[] aliases) {
      if (aliases == null) {
        return null;
      }
      String[] out = new String[aliases.length];
      for (int i = 0; i < aliases.length; i++) {
        out[i] = tag(g, aliases[i]);
      }
      return out;
    }
  }

  static final class TrustManager extends X509ExtendedTrustManager {
    private final AtomicReference<X509ExtendedTrustManager> current;

    TrustManager(X509ExtendedTrustManager first) {
      current = new AtomicReference<>(first);
    }

    void swap(X509ExtendedTrustManager next) {
      current.set(next);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current.get().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current.get().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current.get().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current.get().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      current.get().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      current.get().checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.get().getAcceptedIssuers();
    }
  }
}
