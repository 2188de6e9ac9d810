package dev.turnout.store;

/**
 * A stored password hash and everything needed to check a password against it: the algorithm's name
 * (see {@link PasswordHasher#PBKDF2_SHA256}), its iteration count and salt. Arrays are not copied: a
 * value lives only between the database row and one check.
 */
record PasswordHash(String algorithm, int iterations, byte[] salt, byte[] hash) {}
