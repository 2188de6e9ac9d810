package dev.turnout.tls;

/**
 * A certificate, key or TLS setting that cannot be used. The message names where it was asked for
 * (the YAML path of the key), the file, and the problem, in one line an operator can act on: {@code
 * admin.tls.keyPath /etc/turnout/key.pem: the key is protected by a password; Turnout reads
 * unencrypted keys only}.
 */
public final class TlsException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public TlsException(String message) {
    super(message);
  }

  public TlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
