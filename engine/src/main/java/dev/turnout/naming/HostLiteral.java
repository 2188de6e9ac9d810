package dev.turnout.naming;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The host of {@code /$/inet/HOST/PORT} read as the JVM's address parser reads it, without ever asking
 * DNS: Finagle's inet namer hands the host to {@code InetAddress}, so Turnout accepts the same forms.
 *
 * <ul>
 *   <li>IPv4 in every form {@code InetAddress.getByName} takes as a literal (the BSD {@code inet_aton}
 *       forms, decimal only): {@code 127.0.0.1}, {@code 127.1} (last part fills 24 bits), {@code
 *       127.0.1} (16 bits), {@code 2130706433} (all 32 bits);
 *   <li>IPv6, bare ({@code ::1}, {@code ::ffff:127.0.0.1}) or in brackets ({@code [::1]}, written
 *       {@code \x5b::1\x5d} in a dtab, since brackets are not label characters), with an optional
 *       {@code %zone};
 *   <li>anything else made only of digits and dots ({@code 256.1.1.1}, {@code 1.2.3.4.5}) or starting
 *       with a bracket or holding a colon but not parsing is <b>malformed</b>: the JVM would send it to
 *       DNS and fail, Turnout says so at once;
 *   <li>everything else is a host name, resolved by {@link HostResolver} off the IO thread.
 * </ul>
 */
final class HostLiteral {
  /** What the host text is: a literal address, a name to resolve, or malformed (with why). */
  sealed interface Kind permits Literal, HostName, Malformed {}

  record Literal(InetAddress address) implements Kind {
    /** The canonical text Turnout connects to: {@code 127.0.0.1}, {@code 0:0:0:0:0:0:0:1}. */
    String text() {
      return address.getHostAddress();
    }
  }

  record HostName(String name) implements Kind {}

  record Malformed(String why) implements Kind {}

  private HostLiteral() {}

  static Kind classify(String host) {
    if (host.isEmpty()) {
      return new Malformed("an empty host");
    }
    boolean bracketed = host.charAt(0) == '[' || host.charAt(host.length() - 1) == ']';
    if (bracketed || host.indexOf(':') >= 0) {
      return ipv6(host, bracketed);
    }
    if (digitsAndDots(host)) {
      return ipv4(host)
          .<Kind>map(Literal::new)
          .orElseGet(() -> new Malformed("'" + host + "' is not an IPv4 address"));
    }
    if (!hostNameChars(host)) {
      return new Malformed("'" + host + "' is neither an IP address nor a host name");
    }
    return new HostName(host);
  }

  private static Kind ipv6(String host, boolean bracketed) {
    String inner = host;
    if (bracketed) {
      if (host.length() < 3 || host.charAt(0) != '[' || host.charAt(host.length() - 1) != ']') {
        return new Malformed("'" + host + "' has unbalanced brackets");
      }
      inner = host.substring(1, host.length() - 1);
    }
    String address = inner.indexOf('%') >= 0 ? inner.substring(0, inner.indexOf('%')) : inner;
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
        return new Malformed("'" + host + "' is not an IPv6 address");
      }
    }
    try {
      // In brackets the JVM parses an IPv6 literal or refuses it; it never asks DNS.
      return new Literal(InetAddress.getByName("[" + inner + "]"));
    } catch (UnknownHostException | SecurityException e) {
      return new Malformed("'" + host + "' is not an IPv6 address");
    }
  }

  /**
   * The {@code inet_aton} decimal forms, as the JDK's IPv4 literal parser has them: with n parts, the
   * first n-1 are one byte each and the last fills the remaining bytes.
   */
  static Optional<InetAddress> ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length > 4) {
      return Optional.empty();
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].isEmpty() || parts[i].length() > 10) {
        return Optional.empty();
      }
      values[i] = Long.parseLong(parts[i]);
    }
    for (int i = 0; i < parts.length - 1; i++) {
      if (values[i] > 0xff) {
        return Optional.empty();
      }
    }
    long last = values[parts.length - 1];
    int lastBytes = 4 - (parts.length - 1);
    if (last >= (1L << (8 * lastBytes))) {
      return Optional.empty();
    }
    long bits = 0;
    for (int i = 0; i < parts.length - 1; i++) {
      bits |= values[i] << (8 * (3 - i));
    }
    bits |= last;
    byte[] bytes = {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    try {
      return Optional.of(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static boolean digitsAndDots(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < '0' || c > '9') && c != '.') {
        return false;
      }
    }
    return true;
  }

  /** Letters, digits, {@code -}, {@code _} and dots: what a DNS name (or /etc/hosts entry) holds. */
  private static boolean hostNameChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
              || c == '.';
      if (!ok) {
        return false;
      }
    }
    return s.charAt(0) != '.' && !s.contains("..");
  }
}
