package dev.turnout.store;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The password policy: PBKDF2-HMAC-SHA256 from the JDK, a random 16-byte salt per password, a 256-bit
 * hash, and {@link #DEFAULT_ITERATIONS} iterations unless a test asks for fewer. Every hash is kept with
 * the algorithm and iteration count that made it ({@link PasswordHash}), so a hash made under an older,
 * weaker policy still verifies and {@link #isWeaker} tells when to replace it.
 */
final class PasswordHasher {
  /** The name stored with each hash; the only algorithm this policy makes or checks. */
  static final String PBKDF2_SHA256 = "PBKDF2-HMAC-SHA256";

  /**
   * OWASP's Password Storage Cheat Sheet figure for PBKDF2-HMAC-SHA256 (its 210,000 is for
   * HMAC-SHA512, which this is not).
   */
  static final int DEFAULT_ITERATIONS = 600_000;

  static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final String JDK_NAME = "PBKDF2WithHmacSHA256";

  private final SecureRandom random = new SecureRandom();
  private final int iterations;
  /** Hashed against when a user does not exist, so a miss costs what a hit costs. */
  private final PasswordHash decoy;

  PasswordHasher(int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("password iterations must be >= 1, not " + iterations);
    }
    this.iterations = iterations;
    this.decoy = new PasswordHash(PBKDF2_SHA256, iterations, newSalt(), new byte[HASH_BITS / 8]);
  }

  /** A new hash of {@code password} under the current policy, with a fresh salt. */
  PasswordHash hash(char[] password) {
    byte[] salt = newSalt();
    return new PasswordHash(PBKDF2_SHA256, iterations, salt, pbkdf2(password, salt, iterations));
  }

  /**
   * True when {@code password} is the one {@code stored} was made from. Compares in time that depends
   * only on the lengths, not on where the hashes differ.
   */
  boolean matches(char[] password, PasswordHash stored) {
    if (!PBKDF2_SHA256.equals(stored.algorithm())) {
      throw new StoreException("a password hash uses " + stored.algorithm() + ", which this Turnout cannot check");
    }
    byte[] actual = pbkdf2(password, stored.salt(), stored.iterations());
    try {
      return MessageDigest.isEqual(actual, stored.hash());
    } finally {
      Arrays.fill(actual, (byte) 0);
    }
  }

  /** Spends what checking a real user's password costs, for a name that does not exist. */
  void spendDecoy(char[] password) {
    matches(password, decoy);
  }

  /** True when {@code stored} was made by another algorithm or with fewer iterations than the policy. */
  boolean isWeaker(PasswordHash stored) {
    return !PBKDF2_SHA256.equals(stored.algorithm()) || stored.iterations() < iterations;
  }

  private byte[] newSalt() {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return salt;
  }

  private static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance(JDK_NAME).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks " + JDK_NAME, e);
    } finally {
      spec.clearPassword();
    }
  }
}
