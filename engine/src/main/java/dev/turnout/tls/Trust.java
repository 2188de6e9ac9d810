package dev.turnout.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust managers TLS is configured with: the JDK's PKIX validation anchored at certificates read
 * from PEM files (a CA bundle, Linkerd's {@code trustCerts} or {@code caCertPath}), at the JDK's own
 * {@code cacerts} when none is named, or no validation at all ({@code disableValidation}).
 */
final class Trust {
  private Trust() {}

  /** PKIX validation against the certificates in {@code files}, each named by {@code where} on error. */
  static X509ExtendedTrustManager anchoredAt(String where, List<Path> files) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int n = 0;
      for (Path f : files) {
        for (X509Certificate c : Pem.certificates(where, f)) {
          store.setCertificateEntry("anchor-" + n++, c);
        }
      }
      return pkix(store);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TlsException(where + ": the trusted certificates cannot be used: " + e.getMessage(), e);
    }
  }

  /** PKIX validation against the JDK's default trusted certificates. */
  static X509ExtendedTrustManager system() {
    try {
      return pkix(null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's default trust store cannot be read: " + e, e);
    }
  }

  private static X509ExtendedTrustManager pkix(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(store);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("the JDK made no X509ExtendedTrustManager");
  }

  /** Accepts any peer: Linkerd's {@code disableValidation: true}, the operator's explicit choice. */
  static X509ExtendedTrustManager insecure() {
    return new X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
  }

  /**
   * Validates a server's chain with {@code pkix}, then checks that its certificate is for {@code name}
   * (Linkerd's {@code commonName}), whatever host or address the connection was made to: a control
   * plane reached at {@code 127.0.0.1} must still prove it is {@code cp.example.com}. The JDK's own
   * check cannot be pointed at another name than the one dialled (its HTTP client always checks the
   * URI's host), so this one replaces it; {@link PeerName} holds the matching rules.
   */
  static X509ExtendedTrustManager expectingName(X509ExtendedTrustManager pkix, String name) {
    return expectingName(pkix, name, (engine, why) -> { });
  }

  /**
   * As above, telling {@code refused} why an engine's peer was refused: an engine's handshake runs its
   * checks in tasks whose exceptions its driver may never show, while the reason is what a caller must see.
   */
  static X509ExtendedTrustManager expectingName(
      X509ExtendedTrustManager pkix, String name, java.util.function.BiConsumer<SSLEngine, String> refused) {
    return new X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
          throws CertificateException {
        checkServerTrusted(chain, authType);
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws CertificateException {
        pkix.checkClientTrusted(chain, authType, engine);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
          throws CertificateException {
        try {
          checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
          refused.accept(engine, e.getMessage());
          throw e;
        }
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
        if (!PeerName.matches(chain[0], name)) {
          throw new CertificateException(
              "the certificate of " + KeyMaterial.subject(chain[0]) + " is not for " + name + " (it names "
                  + PeerName.names(chain[0]) + ")");
        }
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
      }
    };
  }
}
