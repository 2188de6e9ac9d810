package dev.turnout.app;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.ClientTlsConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.ServerConfig;
import dev.turnout.config.ServerTlsConfig;
import dev.turnout.tls.ClientTls;
import dev.turnout.tls.ServerTls;
import dev.turnout.tls.Throwaway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * The TLS of a warm-up copy of a router. Where any router server has {@code tls}, the copy is served
 * over TLS (that server's protocols and ciphers) and the warm-up's callers speak TLS to it, making a
 * new connection every so often, so that the server's handshakes and its TLS request relay are
 * compiled. Where any of the copy's clients speak TLS ({@code client.tls} or an {@code io.l5d.static}
 * entry's), the copy's client does towards a TLS backend, so that the client's handshakes, record
 * layer and name check are compiled before real TLS traffic comes. Every side uses one throwaway
 * certificate for {@link #NAME}, made in memory ({@link Throwaway}) and handed to the copy's config
 * as PEM files in a private temporary folder deleted with it; the routers' own certificates are
 * never presented to the warm-up's callers. A router with no TLS gets a plaintext copy, as before,
 * and so does one whose throwaway TLS cannot be set up: the warm-up is only a speed-up.
 *
 * @param server the copy's one server: plaintext, or TLS with the router's protocols and ciphers
 * @param backend the loopback backend's TLS; empty: plaintext
 * @param callers how the warm-up's callers reach a TLS server; empty: plaintext
 * @param dir the throwaway certificate's folder, if one was made
 * @param clientTls the copy's client TLS (every entry's tls replaced by it); empty: plaintext
 */
record WarmTls(
    ServerConfig server,
    Optional<SSLContext> backend,
    Optional<SSLSocketFactory> callers,
    Optional<Path> dir,
    Optional<ClientTlsConfig> clientTls) implements AutoCloseable {
  /** The name on the throwaway certificate: under {@code .invalid}, which no real host can have. */
  static final String NAME = "warmup.turnout.invalid";

  /** Plaintext all through. */
  static WarmTls plaintext() {
    return new WarmTls(new ServerConfig("127.0.0.1", 0, false), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty());
  }

  /**
   * The TLS of a copy of {@code router}, served over TLS when a server of any of {@code routers} has
   * {@code tls}; plaintext where the throwaway TLS cannot be set up.
   */
  static WarmTls of(RouterConfig router, List<RouterConfig> routers) {
    try {
      return tls(router, routers);
    } catch (RuntimeException e) {
      return plaintext();
    }
  }

  private static WarmTls tls(RouterConfig router, List<RouterConfig> routers) {
    Optional<ServerTlsConfig> serverTls = routers.stream()
        .flatMap(r -> r.servers().stream())
        .flatMap(s -> s.tls().stream())
        .findFirst();
    ClientConfig c = router.client();
    boolean clientSpeaksTls =
        c.tls().filter(ClientTlsConfig::enabled).isPresent()
            || c.configs().stream().anyMatch(e -> e.tls().filter(ClientTlsConfig::enabled).isPresent());
    ServerConfig plain = new ServerConfig("127.0.0.1", 0, false);
    if (serverTls.isEmpty() && !clientSpeaksTls) {
      return plaintext();
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("turnout-warmup-tls");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return tls(serverTls, c, clientSpeaksTls, plain, dir);
    } catch (RuntimeException e) {
      delete(dir);
      throw e;
    }
  }

  private static WarmTls tls(
      Optional<ServerTlsConfig> serverTls, ClientConfig c, boolean clientSpeaksTls, ServerConfig plain, Path dir) {
    // The real certificate's kind of key, so the handshakes sign as real ones will (RSA or EC).
    Throwaway cert = Throwaway.write(NAME, serverTls.map(t -> keyAlgorithm(t.certPath())).orElse("EC"), dir);
    ServerConfig server = plain;
    Optional<SSLSocketFactory> callers = Optional.empty();
    if (serverTls.isPresent()) {
      ServerTlsConfig real = serverTls.get();
      server = new ServerConfig("127.0.0.1", 0, false, ServerConfig.Overrides.ACCEPT, Optional.of(new ServerTlsConfig(
          cert.certPath(), cert.keyPath(), Optional.empty(), Optional.empty(), false, real.ciphers(), real.protocols())));
      callers = Optional.of(trusting(cert, List.of()).context().getSocketFactory());
    }
    Optional<SSLContext> backend = Optional.empty();
    Optional<ClientTlsConfig> clientTls = Optional.empty();
    if (clientSpeaksTls) {
      List<String> protocols = c.tls().filter(ClientTlsConfig::enabled).map(ClientTlsConfig::protocols).orElse(List.of());
      clientTls = Optional.of(new ClientTlsConfig(
          true, false, Optional.of(NAME), List.of(), Optional.of(cert.certPath()), Optional.empty(), protocols));
      backend = Optional.of(ServerTls.load(
          new ServerTlsConfig(cert.certPath(), cert.keyPath(), Optional.empty(), Optional.empty(), false, List.of(), List.of()),
          "warm-up backend", Clock.systemUTC()).context());
    }
    return new WarmTls(server, backend, callers, Optional.of(dir), clientTls);
  }

  /**
   * The router's client block as the copy speaks it: its entries' other keys kept (they shape the
   * compiled code), every {@code tls} replaced by the warm-up's, which the loopback backend answers.
   */
  ClientConfig client(ClientConfig real) {
    List<ClientConfig.Entry> entries = new ArrayList<>();
    for (ClientConfig.Entry e : real.configs()) {
      entries.add(new ClientConfig.Entry(e.prefix(), e.failureAccrual(), e.loadBalancer(), e.connectTimeout(),
          e.requestAttemptTimeout(), e.hostConnectionPool(), e.failFast(), e.requeueBudget(),
          e.tls().filter(ClientTlsConfig::enabled).isPresent() ? clientTls : Optional.empty()));
    }
    return new ClientConfig(real.failureAccrual(), real.loadBalancer(), real.connectTimeout(),
        real.requestAttemptTimeout(), real.hostConnectionPool(), real.failFast(), real.requeueBudget(), entries,
        clientTls, real.h2());
  }

  private static ClientTls trusting(Throwaway cert, List<String> protocols) {
    return ClientTls.load(
        new ClientTlsConfig(true, false, Optional.of(NAME), List.of(), Optional.of(cert.certPath()), Optional.empty(), protocols),
        "warm-up callers", Clock.systemUTC());
  }

  /** The key algorithm of the first certificate in {@code pem} ("RSA", "EC"); "EC" when it cannot be read. */
  static String keyAlgorithm(Path pem) {
    try (java.io.InputStream in = Files.newInputStream(pem)) {
      String a = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey().getAlgorithm();
      return a.equals("RSA") ? "RSA" : "EC";
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      return "EC";
    }
  }

  /** Deletes the throwaway certificate's folder. */
  @Override
  public void close() {
    dir.ifPresent(WarmTls::delete);
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is no reason to fail a warm-up that ran
    }
  }
}
