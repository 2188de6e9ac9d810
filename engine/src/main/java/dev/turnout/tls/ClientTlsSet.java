package dev.turnout.tls;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.ClientTlsConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TLS of one router's clients: its {@code client.tls} and that of each {@code io.l5d.static}
 * entry, loaded once per set of files and seen per destination name. {@link #load} reads every file
 * whose path is fixed in the config (the global block's, and an entry's whose paths hold no {@code
 * {capture}}) before anything starts, so a bad file stops start-up naming it; an entry whose paths hold
 * captures can only be read once a destination fills them in, at that destination's first connection,
 * when a bad file is that request's 502 (see {@link ClientTls#deferred}).
 *
 * <pre>
 * client: {kind: io.l5d.static, configs: [{prefix: "/#/io.l5d.fs/{service}",
 *          tls: {commonName: "{service}.example.com", trustCertsBundle: /certs/ca.pem}}]}
 * /#/io.l5d.fs/users  speaks TLS expecting users.example.com, trusting /certs/ca.pem (read at start)
 * /#/io.l5d.fs/orders speaks TLS expecting orders.example.com, on the same loaded files
 * </pre>
 */
public final class ClientTlsSet {
  /** What a block's loaded files depend on: everything but the name it expects. */
  private record Files(
      boolean disableValidation, List<Path> trustCerts, Optional<Path> trustCertsBundle,
      Optional<ClientTlsConfig.ClientAuth> clientAuth, List<String> protocols) {
    static Files of(ClientTlsConfig c) {
      return new Files(c.disableValidation(), c.trustCerts(), c.trustCertsBundle(), c.clientAuth(), c.protocols());
    }
  }

  private final ClientConfig client;
  private final String where;
  private final TlsReloader reloader;
  private final Clock clock;
  private final Map<Files, ClientTls> byFiles = new ConcurrentHashMap<>();

  private ClientTlsSet(ClientConfig client, String where, TlsReloader reloader, Clock clock) {
    this.client = client;
    this.where = where;
    this.reloader = reloader;
    this.clock = clock;
  }

  /**
   * Reads and checks the files of {@code client} that need no destination, each block watched by
   * {@code reloader}.
   *
   * @param where the client block's YAML path ({@code routers[0].client}), which starts every error
   * @throws TlsException naming the key, the file and the problem
   */
  public static ClientTlsSet load(ClientConfig client, String where, TlsReloader reloader, Clock clock) {
    ClientTlsSet set = new ClientTlsSet(client, where, reloader, clock);
    client.tls().filter(ClientTlsConfig::enabled).ifPresent(t -> set.eager(t, where + ".tls"));
    List<ClientConfig.Entry> entries = client.configs();
    for (int i = 0; i < entries.size(); i++) {
      Optional<ClientTlsConfig> t = entries.get(i).tls().filter(ClientTlsConfig::enabled);
      if (t.isPresent() && !t.get().filesHoldCaptures()) {
        set.eager(t.get(), where + ".configs[" + i + "].tls");
      }
    }
    return set;
  }


  private void eager(ClientTlsConfig t, String at) {
    byFiles.computeIfAbsent(Files.of(t), f -> reloader.watch(ClientTls.load(t, at, clock)));
  }

  /**
   * The TLS of the client {@code id}, whose settings (its entries applied, captures filled in) are
   * {@code resolved}; empty for plaintext. Never loads a file: a block not read at start is read at its
   * first handshake.
   */
  public Optional<ClientTls> forClient(dev.turnout.dtab.Path id, ClientConfig resolved) {
    Optional<ClientTlsConfig> t = resolved.tls().filter(ClientTlsConfig::enabled);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    ClientTlsConfig c = t.get();
    ClientTls base = byFiles.computeIfAbsent(
        Files.of(c),
        f -> ClientTls.deferred(c, blockOf(id), clock, reloader::watch));
    return Optional.of(c.commonName().map(base::named).orElse(base));
  }

  /** The YAML path of the block in force for {@code id}: the last entry with {@code tls} matching it. */
  private String blockOf(dev.turnout.dtab.Path id) {
    String at = where + ".tls";
    List<ClientConfig.Entry> entries = client.configs();
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).tls().isPresent() && entries.get(i).prefix().matches(id)) {
        at = where + ".configs[" + i + "].tls";
      }
    }
    return at;
  }

  /** The blocks read so far, for a warm-up that wants to shake hands with each. */
  public List<ClientTls> loaded() {
    List<ClientTls> out = new ArrayList<>();
    byFiles.values().stream().filter(ClientTls::isLoaded).forEach(out::add);
    return out;
  }

}
