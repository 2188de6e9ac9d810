package dev.turnout.proxy;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.ClientTlsConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerConfig;
import dev.turnout.config.ServerTlsConfig;
import dev.turnout.tls.ClientTls;
import dev.turnout.tls.ClientTlsSet;
import dev.turnout.tls.ServerTls;
import dev.turnout.tls.TlsReloader;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The certificates of the routers: each TLS server's, each {@code client:} block's and each {@code
 * io.l5d.namerd.http} interpreter's (towards its control planes), every one
 * watched by one {@link TlsReloader}. {@link #load} reads them all at once, so that start-up can check
 * every file before it opens a store or binds a port, and a bad one stops it naming the file; the proxy
 * then takes what was read. A block not read beforehand (or a process that never calls {@link #load})
 * is read when the proxy asks for it.
 */
public final class ProxyTls {
  private final TlsReloader reloader;
  private final Map<ServerTlsConfig, ServerTls> servers = new ConcurrentHashMap<>();
  private final Map<ClientConfig, ClientTlsSet> clients = new ConcurrentHashMap<>();
  private final Map<ClientTlsConfig, ClientTls> controlPlanes = new ConcurrentHashMap<>();

  private ProxyTls(TlsReloader reloader) {
    this.reloader = reloader;
  }

  /**
   * Reads and checks the files of every router's servers and clients (a client entry whose paths hold
   * {@code {captures}} excepted: see {@link ClientTlsSet}), watched by {@code reloader}.
   *
   * @throws dev.turnout.tls.TlsException naming the YAML path, the file and the problem
   */
  public static ProxyTls load(List<RouterConfig> routers, TlsReloader reloader) {
    ProxyTls tls = new ProxyTls(reloader);
    for (int ri = 0; ri < routers.size(); ri++) {
      RouterConfig rc = routers.get(ri);
      tls.controlPlane(rc, ri);
      tls.client(rc, ri);
      for (int si = 0; si < rc.servers().size(); si++) {
        tls.server(rc.servers().get(si), ri, si);
      }
    }
    return tls;
  }

  /** Nothing read yet: each block is read when the proxy asks for it. */
  static ProxyTls watchedBy(TlsReloader reloader) {
    return new ProxyTls(reloader);
  }

  /** The TLS of server {@code si} of router {@code ri}; empty for plaintext. */
  Optional<ServerTls> server(ServerConfig sc, int ri, int si) {
    String where = "routers[" + ri + "].servers[" + si + "].tls";
    return sc.tls().map(t -> servers.computeIfAbsent(t, x -> reloader.watch(ServerTls.load(t, where, Clock.systemUTC()))));
  }

  /**
   * The TLS router {@code ri}'s interpreter reaches its control planes with; empty when it follows
   * none, or over plain HTTP.
   */
  public Optional<ClientTls> controlPlane(RouterConfig rc, int ri) {
    if (!rc.interpreter().followsRemote()) {
      return Optional.empty();
    }
    String where = "routers[" + ri + "].interpreter.tls";
    return rc.interpreter().tls().map(t -> controlPlanes.computeIfAbsent(
        t, x -> reloader.watch(ClientTls.load(t, where, Clock.systemUTC()))));
  }

  /** The TLS of router {@code ri}'s clients. */
  ClientTlsSet client(RouterConfig rc, int ri) {
    return clients.computeIfAbsent(
        rc.client(), c -> ClientTlsSet.load(c, "routers[" + ri + "].client", reloader, Clock.systemUTC()));
  }
}
