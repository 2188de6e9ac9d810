package dev.turnout.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code tls:} block, with Linkerd 1's keys as its code reads them: the server's ({@code
 * servers[].tls}, {@code admin.tls}; its {@code TlsServerConfig}) and the client's ({@code
 * client.tls}, the {@code io.l5d.namerd.http} interpreter's {@code tls}; its {@code
 * TlsClientConfig}). Relative file paths are taken from the config file's folder, as namers' are.
 * Linkerd's rules are checked here so a wrong block is refused with its YAML path; whether the files
 * exist and fit together is checked when the TLS is built, before anything starts listening.
 */
final class TlsReader {
  private TlsReader() {}

  static ServerTlsConfig server(ConfigContext context, YamlNode n) {
    if (n.has("enabled")) {
      // Linkerd's docs show an enabled key on server tls, its code has none and refuses it.
      throw new ConfigException(
          n.path + ".enabled: server tls has no enabled key (Linkerd's docs show one, its code refuses it);"
              + " remove the tls block to serve plaintext");
    }
    n.only("certPath", "keyPath", "intermediateCertsPath", "caCertPath", "requireClientAuth", "ciphers", "protocols");
    return new ServerTlsConfig(
        file(context, n, "certPath").orElseThrow(() -> required(n, "certPath")),
        file(context, n, "keyPath").orElseThrow(() -> required(n, "keyPath")),
        file(context, n, "intermediateCertsPath"),
        file(context, n, "caCertPath"),
        n.bool("requireClientAuth", false),
        n.texts("ciphers"),
        n.texts("protocols"));
  }

  static ClientTlsConfig client(ConfigContext context, YamlNode n) {
    n.only(
        "enabled", "disableValidation", "commonName", "trustCerts", "trustCertsBundle", "clientAuth", "protocols");
    boolean enabled = n.bool("enabled", true);
    boolean disableValidation = n.bool("disableValidation", false);
    Optional<String> commonName = Optional.ofNullable(n.text("commonName", null)).filter(s -> !s.isBlank());
    List<Path> trustCerts = new ArrayList<>();
    for (String t : n.texts("trustCerts")) {
      trustCerts.add(context.baseDir().resolve(t));
    }
    Optional<Path> bundle = file(context, n, "trustCertsBundle");
    Optional<ClientTlsConfig.ClientAuth> clientAuth = Optional.empty();
    YamlNode auth = n.get("clientAuth");
    if (!auth.isMissing()) {
      auth.only("certPath", "keyPath", "intermediateCertsPath");
      clientAuth = Optional.of(
          new ClientTlsConfig.ClientAuth(
              file(context, auth, "certPath").orElseThrow(() -> required(auth, "certPath")),
              file(context, auth, "keyPath").orElseThrow(() -> required(auth, "keyPath")),
              file(context, auth, "intermediateCertsPath")));
    }
    if (enabled) {
      if (!disableValidation && commonName.isEmpty()) {
        throw new ConfigException(
            n.path + ".commonName: is required to check the peer's certificate (or set disableValidation: true)");
      }
      if (!trustCerts.isEmpty() && bundle.isPresent()) {
        throw new ConfigException(
            n.path + ".trustCerts: give trustCertsBundle or trustCerts (deprecated), not both; Linkerd refuses both too");
      }
      if (disableValidation && clientAuth.isPresent()) {
        throw new ConfigException(
            n.path + ".clientAuth: would send a client certificate to a peer nobody checks (disableValidation: true)");
      }
      if (!trustCerts.isEmpty()) {
        context.note(n.path + ".trustCerts: deprecated in Linkerd; a trustCertsBundle with the same certificates is read the same way");
      }
    }
    return new ClientTlsConfig(
        enabled, disableValidation, commonName, trustCerts, bundle, clientAuth, n.texts("protocols"));
  }

  private static Optional<Path> file(ConfigContext context, YamlNode n, String key) {
    String v = n.text(key, null);
    if (v == null) {
      return Optional.empty();
    }
    if (v.isBlank()) {
      throw new ConfigException(n.get(key).path + ": must name a file");
    }
    return Optional.of(context.baseDir().resolve(v));
  }

  private static ConfigException required(YamlNode n, String key) {
    return new ConfigException(n.get(key).path + ": is required");
  }
}
