package dev.turnout.proxy;

import dev.turnout.config.ServerConfig;
import dev.turnout.tls.ServerTls;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.util.Optional;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Sequence;
import org.xnio.SslClientAuthMode;

/**
 * The Undertow listener of one router server: plaintext HTTP, or, with {@code tls}, HTTPS only. A
 * TLS listener has no plaintext fallback: a caller that speaks plain HTTP to it fails the handshake
 * and its connection is closed without an HTTP answer. Its protocols, ciphers and client-certificate
 * rule are this listener's own socket options, so two router servers with different TLS settings on
 * one Undertow do not share them.
 */
final class ServerListener {
  private ServerListener() {}

  static Undertow.ListenerBuilder of(ServerConfig sc, Optional<ServerTls> tls, HttpHandler root) {
    Undertow.ListenerBuilder b = new Undertow.ListenerBuilder().setPort(sc.port()).setHost(sc.ip()).setRootHandler(root);
    if (tls.isEmpty()) {
      return b.setType(Undertow.ListenerType.HTTP);
    }
    ServerTls t = tls.get();
    OptionMap.Builder options =
        OptionMap.builder()
            .set(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(t.protocols()))
            .set(
                Options.SSL_CLIENT_AUTH_MODE,
                t.requireClientAuth() ? SslClientAuthMode.REQUIRED : SslClientAuthMode.NOT_REQUESTED);
    if (!t.ciphers().isEmpty()) {
      options.set(Options.SSL_ENABLED_CIPHER_SUITES, Sequence.of(t.ciphers()));
    }
    return b.setType(Undertow.ListenerType.HTTPS).setSslContext(t.context()).setOverrideSocketOptions(options.getMap());
  }
}
