package dev.turnout.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A private key and the certificate chain it proves: the leaf from {@code certPath}, then the
 * intermediates from {@code intermediateCertsPath}. Loading checks what would otherwise only show as a
 * failed handshake on the peer's side: that the key belongs to the leaf (a signature made with the
 * key verifies with the certificate's public key), and that every certificate of the chain is valid
 * now. The {@link KeyManager} it makes picks this one chain for every handshake.
 */
record KeyMaterial(PrivateKey key, List<X509Certificate> chain) {
  private static final char[] NO_PASSWORD = new char[0];

  KeyMaterial {
    chain = List.copyOf(chain);
  }

  /**
   * Reads and checks the key material of the TLS block at {@code where} ({@code admin.tls}).
   *
   * @throws TlsException naming the key and file at fault
   */
  static KeyMaterial load(String where, Path certPath, Path keyPath, Optional<Path> intermediates, Clock clock) {
    List<X509Certificate> chain = new ArrayList<>();
    List<X509Certificate> leaf = Pem.certificates(where + ".certPath", certPath);
    chain.addAll(leaf);
    intermediates.ifPresent(p -> chain.addAll(Pem.certificates(where + ".intermediateCertsPath", p)));
    PrivateKey key = Pem.privateKey(where + ".keyPath", keyPath);
    if (!belongsTo(key, leaf.get(0))) {
      throw new TlsException(
          where + ".keyPath " + keyPath + ": the key does not match the certificate in " + where + ".certPath "
              + certPath + " (" + subject(leaf.get(0)) + ")");
    }
    Date now = Date.from(clock.instant());
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      String field = i < leaf.size() ? ".certPath " + certPath : ".intermediateCertsPath " + intermediates.orElseThrow();
      try {
        c.checkValidity(now);
      } catch (CertificateExpiredException e) {
        throw new TlsException(where + field + ": the certificate " + subject(c) + " expired on " + c.getNotAfter().toInstant());
      } catch (CertificateNotYetValidException e) {
        throw new TlsException(
            where + field + ": the certificate " + subject(c) + " is not valid before " + c.getNotBefore().toInstant());
      }
    }
    return new KeyMaterial(key, chain);
  }

  /** A key manager presenting this chain. */
  X509ExtendedKeyManager keyManager() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("turnout", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
      // SunX509 takes the key out of the store once and holds it. NewSunX509 keeps what it took behind
      // soft references and goes back to the store when they are gone, and a PKCS#12 store keeps its
      // keys encrypted: under the benchmark's load (-Xmx128m) a third of the CPU samples of new
      // connections were that PBKDF2 decryption. Its finer alias choice buys nothing for one key.
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
      kmf.init(store, NO_PASSWORD);
      for (KeyManager km : kmf.getKeyManagers()) {
        if (km instanceof X509ExtendedKeyManager x) {
          return x;
        }
      }
      throw new IllegalStateException("the JDK made no X509ExtendedKeyManager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("the JDK refused a key it had read: " + e, e);
    }
  }

  X509Certificate leaf() {
    return chain.get(0);
  }

  private static boolean belongsTo(PrivateKey key, X509Certificate cert) {
    String alg = signatureAlgorithm(key);
    if (alg == null) {
      // A key type this check does not know: the JDK will still refuse a mismatch at the handshake.
      return true;
    }
    try {
      byte[] probe = "turnout key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(alg);
      signer.initSign(key);
      signer.update(probe);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(alg);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String signatureAlgorithm(PrivateKey key) {
    switch (key.getAlgorithm()) {
      case "RSA":
        return "SHA256withRSA";
      case "EC":
        return "SHA256withECDSA";
      case "Ed25519":
      case "EdDSA":
        return "Ed25519";
      default:
        return null;
    }
  }

  static String subject(X509Certificate c) {
    return c.getSubjectX500Principal().getName();
  }
}
