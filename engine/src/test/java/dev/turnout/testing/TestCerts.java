package dev.turnout.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * Throwaway certificates made at run time, for tests with real TLS peers: a CA, intermediates and
 * leaf certificates for host names or IP addresses, valid now or expired, with EC or RSA keys, and
 * their PEM files with the key written as PKCS#8, PKCS#1/SEC1 or password-protected.
 *
 * <pre>{@code
 * TestCerts.Issued ca = TestCerts.ca("test CA");
 * TestCerts.Issued leaf = TestCerts.leaf(ca, "localhost", "127.0.0.1");
 * leaf.writeCert(dir.resolve("cert.pem")); leaf.writeKey(dir.resolve("key.pem"));
 * }</pre>
 */
public final class TestCerts {
  /** The key algorithm of a certificate: EC P-256 is fast to make, RSA 2048 is what most sites use. */
  public enum KeyKind {
    EC,
    RSA
  }

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private TestCerts() {}

  /** A certificate and its key pair. */
  public record Issued(X509Certificate cert, KeyPair keys) {

    /** Writes the certificate as PEM; returns {@code file}. */
    public Path writeCert(Path file) {
      return write(file, misc(cert));
    }

    /** Writes the key as unencrypted PKCS#8 ({@code PRIVATE KEY}), what Linkerd asks for. */
    public Path writeKey(Path file) {
      try {
        return write(file, new JcaPKCS8Generator(keys.getPrivate(), null));
      } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * Writes the key in OpenSSL's traditional form: PKCS#1 for RSA, SEC1 for EC. The SEC1 structure
     * names its curve and carries its public key, as {@code openssl ecparam -genkey} writes it.
     */
    public Path writeTraditionalKey(Path file) {
      if (!keys.getPrivate().getAlgorithm().equals("EC")) {
        return write(file, misc(keys.getPrivate()));
      }
      try {
        PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner =
            org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
            new org.bouncycastle.asn1.sec.ECPrivateKey(
                256,
                inner.getKey(),
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                pkcs8.getPrivateKeyAlgorithm().getParameters());
        return write(file, new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Writes the key as password-protected PKCS#8 ({@code ENCRYPTED PRIVATE KEY}). */
    public Path writeEncryptedKey(Path file, String password) {
      try {
        return write(
            file,
            new JcaPKCS8Generator(
                keys.getPrivate(),
                new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                    .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                    .setPassword(password.toCharArray())
                    .build()));
      } catch (OperatorCreationException | org.bouncycastle.util.io.pem.PemGenerationException e) {
        throw new IllegalStateException(e);
      }
    }

    /** This certificate followed by {@code more} in one PEM file (a chain or a bundle). */
    public Path writeCertWith(Path file, Issued... more) {
      StringBuilder text = new StringBuilder(pem(misc(cert)));
      for (Issued i : more) {
        text.append(pem(misc(i.cert())));
      }
      return writeText(file, text.toString());
    }
  }

  /** A self-signed CA valid from a day ago for a year. */
  public static Issued ca(String name) {
    KeyPair keys = keys(KeyKind.EC);
    Instant now = Instant.now();
    return sign(new X500Name("CN=" + name), keys, null, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), true, new String[0]);
  }

  /** An intermediate CA under {@code issuer}. */
  public static Issued intermediate(Issued issuer, String name) {
    Instant now = Instant.now();
    return sign(new X500Name("CN=" + name), keys(KeyKind.EC), issuer, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), true, new String[0]);
  }

  /** A leaf for {@code names} (host names or IP literals; the first is also the CN), EC, valid now. */
  public static Issued leaf(Issued issuer, String... names) {
    return leaf(issuer, KeyKind.EC, names);
  }

  public static Issued leaf(Issued issuer, KeyKind kind, String... names) {
    Instant now = Instant.now();
    return leaf(issuer, kind, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), names);
  }

  /** A leaf that expired yesterday. */
  public static Issued expiredLeaf(Issued issuer, String... names) {
    Instant now = Instant.now();
    return leaf(issuer, KeyKind.EC, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), names);
  }

  public static Issued leaf(Issued issuer, KeyKind kind, Instant notBefore, Instant notAfter, String... names) {
    return sign(new X500Name("CN=" + names[0]), keys(kind), issuer, notBefore, notAfter, false, names);
  }

  private static Issued sign(
      X500Name subject, KeyPair keys, Issued issuer, Instant notBefore, Instant notAfter, boolean isCa, String[] names) {
    try {
      KeyPair signer = issuer == null ? keys : issuer.keys();
      X500Name issuerName =
          issuer == null ? subject : X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded());
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuerName,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(signer.getPublic()));
      if (isCa) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        b.addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        GeneralName[] alt = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
          boolean ip = names[i].indexOf(':') >= 0 || names[i].matches("[0-9.]+");
          alt[i] = ip
              ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(names[i]).getHostAddress())
              : new GeneralName(GeneralName.dNSName, names[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt));
      }
      String alg = signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      X509Certificate cert =
          new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer.getPrivate())));
      return new Issued(cert, keys);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot make a test certificate: " + e, e);
    }
  }

  private static KeyPair keys(KeyKind kind) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(kind == KeyKind.EC ? "EC" : "RSA");
      g.initialize(kind == KeyKind.EC ? 256 : 2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PemObjectGenerator misc(Object o) {
    try {
      return new JcaMiscPEMGenerator(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path file, PemObjectGenerator gen) {
    return writeText(file, pem(gen));
  }

  private static String pem(PemObjectGenerator gen) {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(gen);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s.toString();
  }

  private static Path writeText(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.US_ASCII);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
