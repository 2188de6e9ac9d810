package dev.turnout.tls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads certificates and private keys from PEM files: certificates ({@code CERTIFICATE} blocks, one or
 * many), and an unencrypted private key as PKCS#8 ({@code PRIVATE KEY}, what Linkerd asks for),
 * PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}, with or without the {@code EC
 * PARAMETERS} block openssl writes before it). A password-protected key ({@code ENCRYPTED PRIVATE
 * KEY}, or a traditional key with {@code Proc-Type: 4,ENCRYPTED}) is refused by name: Linkerd's
 * config has no key for a password, and neither has Turnout's.
 *
 * <p>Why Bouncy Castle's PEM parser rather than the JDK alone: Java 17 has no PEM reader at all.
 * Stripping the armour and handing the bytes to {@code PKCS8EncodedKeySpec} covers PKCS#8 only;
 * PKCS#1 and SEC1 are other ASN.1 structures the JDK's {@code KeyFactory} does not take, and telling
 * an encrypted key from a damaged one needs an ASN.1 reader too. Writing that DER parsing by hand is
 * the kind of crypto code this project does not make; bcpkix is the well-kept library for it. The
 * keys it returns are the JDK's own key classes, and the TLS is the JDK's.
 */
final class Pem {
  private Pem() {}

  /** Every certificate in {@code file}, in order; at least one. */
  static List<X509Certificate> certificates(String where, Path file) {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (Object o : objects(where, file)) {
      if (o instanceof X509CertificateHolder holder) {
        try {
          out.add(converter.getCertificate(holder));
        } catch (CertificateException e) {
          throw problem(where, file, "a certificate cannot be read: " + e.getMessage(), e);
        }
      }
    }
    if (out.isEmpty()) {
      throw problem(where, file, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)", null);
    }
    return List.copyOf(out);
  }

  /** The one private key in {@code file}. */
  static PrivateKey privateKey(String where, Path file) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object o : objects(where, file)) {
      try {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          // A SEC1 key may leave out its public key (the JDK writes it so): only the private part is read.
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
      } catch (PEMException e) {
        throw problem(where, file, "the private key cannot be read: " + e.getMessage(), e);
      }
      if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
        throw problem(
            where,
            file,
            "the key is protected by a password; Turnout reads unencrypted keys only"
                + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8 writes one)",
            null);
      }
      if (!(o instanceof ASN1ObjectIdentifier) && !(o instanceof X509CertificateHolder)) {
        // An EC PARAMETERS block names the curve again and a certificate may share the file; anything
        // else in a key file is a mistake worth naming.
        throw problem(where, file, "holds " + o.getClass().getSimpleName() + " where a private key was expected", null);
      }
    }
    throw problem(
        where, file, "holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)", null);
  }

  /** The raw bytes of {@code file}, for noticing that it changed. */
  static byte[] bytes(String where, Path file) {
    try {
      return java.nio.file.Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw problem(where, file, "no such file", e);
    } catch (IOException e) {
      throw problem(where, file, "cannot be read: " + e, e);
    }
  }

  private static List<Object> objects(String where, Path file) {
    String text = new String(bytes(where, file), StandardCharsets.US_ASCII);
    List<Object> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        out.add(o);
      }
    } catch (IOException | RuntimeException e) {
      throw problem(where, file, "not a readable PEM file: " + e.getMessage(), e);
    }
    return out;
  }

  static TlsException problem(String where, Path file, String what, Throwable cause) {
    return new TlsException(where + " " + file + ": " + what, cause);
  }
}
