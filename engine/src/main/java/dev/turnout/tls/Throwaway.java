package dev.turnout.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * A self-signed certificate for one host name, valid for an hour, made in memory and written as PEM to
 * a folder: for TLS that only this process speaks with itself on loopback (the warm-up), never for a
 * peer anyone else trusts. Its certificate is its own trust anchor.
 */
public record Throwaway(String name, Path certPath, Path keyPath) {

  /**
   * Makes the certificate and key for {@code name}, with a key of {@code algorithm} ("EC": P-256,
   * "RSA": 2048 bits), and writes them into {@code dir}, readable by this user only.
   */
  public static Throwaway write(String name, String algorithm, Path dir) {
    try {
      boolean rsa = algorithm.equals("RSA");
      KeyPairGenerator g = KeyPairGenerator.getInstance(rsa ? "RSA" : "EC");
      g.initialize(rsa ? 2048 : 256);
      KeyPair keys = g.generateKeyPair();
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=" + name);
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              subject, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofHours(1))), subject, keys.getPublic());
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
      X509Certificate cert =
          new JcaX509CertificateConverter().getCertificate(
              b.build(new JcaContentSignerBuilder(rsa ? "SHA256withRSA" : "SHA256withECDSA").build(keys.getPrivate())));
      Path certPath = dir.resolve(name + ".pem");
      Path keyPath = dir.resolve(name + ".key");
      Files.writeString(certPath, pem(cert));
      Files.writeString(keyPath, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
      ownerOnly(keyPath);
      return new Throwaway(name, certPath, keyPath);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("the JDK cannot make a throwaway certificate: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the temporary folder's own protection has to do
    }
  }

  private static String pem(X509Certificate cert) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(cert);
    }
    return out.toString();
  }

  private static String pem(PemObjectGenerator key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(key);
    }
    return out.toString();
  }
}
