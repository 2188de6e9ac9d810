package dev.turnout.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Whether a certificate is for a name, by the rules browsers and the JDK's HTTPS check follow (RFC
 * 6125): an IP address matches an IP address entry of the subject alternative names; a host name
 * matches a DNS entry, ignoring case, where {@code *} may stand for the whole left-most label only
 * ({@code *.example.com} matches {@code a.example.com}, not {@code a.b.example.com} nor {@code
 * example.com}); the subject's CN counts only when the certificate has no DNS entry at all.
 */
final class PeerName {
  private static final int DNS = 2;
  private static final int IP = 7;
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private PeerName() {}

  static boolean matches(X509Certificate cert, String name) {
    if (isIpLiteral(name)) {
      InetAddress wanted = literal(name);
      return wanted != null && entries(cert, IP).stream().map(PeerName::literal).anyMatch(wanted::equals);
    }
    String host = name.toLowerCase(Locale.ROOT);
    List<String> dns = entries(cert, DNS);
    List<String> candidates = dns.isEmpty() ? commonNames(cert) : dns;
    return candidates.stream().anyMatch(pattern -> hostMatches(pattern.toLowerCase(Locale.ROOT), host));
  }

  /** The names a certificate is for, for a message. */
  static String names(X509Certificate cert) {
    List<String> all = new ArrayList<>(entries(cert, DNS));
    all.addAll(entries(cert, IP));
    return all.isEmpty() ? "CN " + commonNames(cert) : all.toString();
  }

  private static boolean hostMatches(String pattern, String host) {
    if (!pattern.startsWith("*.")) {
      return pattern.equals(host);
    }
    String suffix = pattern.substring(1);
    // At least two labels after the wildcard: *.com would otherwise match every .com host.
    if (suffix.indexOf('.', 1) < 0 || !host.endsWith(suffix)) {
      return false;
    }
    String label = host.substring(0, host.length() - suffix.length());
    return !label.isEmpty() && label.indexOf('.') < 0;
  }

  private static List<String> entries(X509Certificate cert, int type) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() >= 2 && Integer.valueOf(type).equals(san.get(0)) && san.get(1) instanceof String s) {
            out.add(s);
          }
        }
      }
    } catch (CertificateParsingException e) {
      return List.of();
    }
    return out;
  }

  private static List<String> commonNames(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          out.add(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      return List.of();
    }
    return out;
  }

  private static boolean isIpLiteral(String name) {
    return name.indexOf(':') >= 0 || IPV4.matcher(name).matches();
  }

  /** The address an IP literal spells; never a DNS lookup, since only literals get here. */
  private static InetAddress literal(String text) {
    String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (!isIpLiteral(t)) {
      return null;
    }
    try {
      return InetAddress.getByName(t);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
