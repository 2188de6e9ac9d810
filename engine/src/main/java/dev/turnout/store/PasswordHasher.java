package dev.turnout.store;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/** PBKDF2-HMAC-SHA256 from the JDK: a random 16-byte salt per password, a 256-bit hash. */
final class PasswordHasher {
  /** OWASP's current minimum for PBKDF2-HMAC-SHA256. */
  static final int DEFAULT_ITERATIONS = 210_000;

  static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";

  private final SecureRandom random = new SecureRandom();

  byte[] newSalt() {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return salt;
  }

  static byte[] hash(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks " + ALGORITHM, e);
    } finally {
      spec.clearPassword();
    }
  }

  /** Compares in time that depends only on the lengths, not on where the hashes differ. */
  static boolean matches(char[] password, byte[] salt, int iterations, byte[] expected) {
    byte[] actual = hash(password, salt, iterations);
    try {
      return MessageDigest.isEqual(actual, expected);
    } finally {
      Arrays.fill(actual, (byte) 0);
    }
  }
}
