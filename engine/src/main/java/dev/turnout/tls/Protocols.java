package dev.turnout.tls;

import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * The protocol versions and cipher suites a TLS block may name, checked against what this JDK
 * supports, so a typo is a start-up error with its YAML path rather than a handshake that never
 * succeeds. Without {@code protocols}, TLS 1.3 and 1.2 only: 1.1 and 1.0 are deprecated (RFC 8996).
 */
final class Protocols {
  static final List<String> DEFAULT = List.of("TLSv1.3", "TLSv1.2");

  private Protocols() {}

  static List<String> protocols(String where, List<String> asked) {
    if (asked.isEmpty()) {
      return DEFAULT;
    }
    Set<String> supported = Set.of(defaults().getSupportedSSLParameters().getProtocols());
    for (String p : asked) {
      if (!supported.contains(p)) {
        throw new TlsException(where + ".protocols: " + p + " is not a TLS version this JDK supports " + sorted(supported));
      }
    }
    return List.copyOf(asked);
  }

  static List<String> ciphers(String where, List<String> asked) {
    Set<String> supported = Set.of(defaults().getSupportedSSLParameters().getCipherSuites());
    for (String c : asked) {
      if (!supported.contains(c)) {
        throw new TlsException(where + ".ciphers: " + c + " is not a cipher suite this JDK supports");
      }
    }
    return List.copyOf(asked);
  }

  private static SSLContext defaults() {
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no TLS: " + e, e);
    }
  }

  private static String sorted(Set<String> s) {
    return Arrays.toString(s.stream().sorted().collect(Collectors.toList()).toArray());
  }
}
