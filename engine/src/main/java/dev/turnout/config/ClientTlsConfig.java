package dev.turnout.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TLS towards a peer, with Linkerd 1's keys and rules (its {@code TlsClientConfig}): the peer's
 * certificate must chain to {@code trustCertsBundle} (or the deprecated list {@code trustCerts}; or
 * the JDK's default CAs without either) and be for {@code commonName}, unless {@code
 * disableValidation}. {@code clientAuth} is the certificate this side presents. {@code enabled: false}
 * turns the block off, as in Linkerd; every other key is then ignored.
 *
 * <p>Refused as Linkerd refuses them: validation without a {@code commonName}, {@code trustCerts}
 * together with {@code trustCertsBundle}; and, as Turnout's spec adds, {@code disableValidation}
 * together with {@code clientAuth} (a client certificate sent to a peer nobody checked).
 */
public record ClientTlsConfig(
    boolean enabled,
    boolean disableValidation,
    Optional<String> commonName,
    List<Path> trustCerts,
    Optional<Path> trustCertsBundle,
    Optional<ClientAuth> clientAuth,
    List<String> protocols) {

  /** The certificate a client presents when the server asks for one. */
  public record ClientAuth(Path certPath, Path keyPath, Optional<Path> intermediateCertsPath) {
    public ClientAuth {
      if (certPath == null || keyPath == null || intermediateCertsPath == null) {
        throw new IllegalArgumentException("certPath and keyPath are required");
      }
    }
  }

  public ClientTlsConfig {
    if (commonName == null || trustCertsBundle == null || clientAuth == null) {
      throw new IllegalArgumentException("absent values are Optional.empty(), not null");
    }
    trustCerts = List.copyOf(trustCerts);
    protocols = List.copyOf(protocols);
    if (enabled) {
      if (!disableValidation && commonName.isEmpty()) {
        throw new IllegalArgumentException("commonName is required unless disableValidation is true");
      }
      if (!trustCerts.isEmpty() && trustCertsBundle.isPresent()) {
        throw new IllegalArgumentException("give trustCertsBundle or trustCerts (deprecated), not both");
      }
      if (disableValidation && clientAuth.isPresent()) {
        throw new IllegalArgumentException("clientAuth with disableValidation would send a client certificate to an unchecked peer");
      }
    }
  }

  /**
   * The block for one destination of an {@code io.l5d.static} entry: each {@code {name}} of {@code vars}
   * (the captures of the entry's prefix) filled in, in {@code commonName} as Linkerd fills it and, as
   * Turnout adds, in the file paths, so that each destination may have its own trust or client
   * certificate.
   */
  public ClientTlsConfig substitute(Map<String, String> vars) {
    if (vars.isEmpty()) {
      return this;
    }
    return new ClientTlsConfig(
        enabled,
        disableValidation,
        commonName.map(n -> PathPattern.substitute(vars, n)),
        trustCerts.stream().map(p -> filled(vars, p)).toList(),
        trustCertsBundle.map(p -> filled(vars, p)),
        clientAuth.map(a -> new ClientAuth(
            filled(vars, a.certPath()), filled(vars, a.keyPath()), a.intermediateCertsPath().map(p -> filled(vars, p)))),
        protocols);
  }

  /** Every file the block names: the trusted certificates, then the client certificate's files. */
  public List<Path> files() {
    List<Path> out = new ArrayList<>(trustCerts);
    trustCertsBundle.ifPresent(out::add);
    clientAuth.ifPresent(a -> {
      out.add(a.certPath());
      out.add(a.keyPath());
      a.intermediateCertsPath().ifPresent(out::add);
    });
    return out;
  }

  /** Whether a file path holds a {@code {capture}}: its files can only be read once the destination is known. */
  public boolean filesHoldCaptures() {
    return files().stream().anyMatch(f -> !PathPattern.names(f.toString()).isEmpty());
  }

  private static Path filled(Map<String, String> vars, Path p) {
    return Path.of(PathPattern.substitute(vars, p.toString()));
  }

  /** Validates the peer against {@code trustCertsBundle} and {@code commonName}, with no client certificate. */
  public static ClientTlsConfig trusting(Path trustCertsBundle, String commonName) {
    return new ClientTlsConfig(
        true, false, Optional.of(commonName), List.of(), Optional.of(trustCertsBundle), Optional.empty(), List.of());
  }
}
