package dev.turnout.proxy;

import dev.turnout.config.H2Settings;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;

/**
 * What makes an Undertow server an h2 router server: HTTP/2 on (with prior knowledge on a plaintext
 * port, which Undertow's HTTP/1.1 parser hands to its HTTP/2 side when it reads the {@code PRI *
 * HTTP/2.0} preface, and by ALPN {@code h2} on a TLS port), no server push, and the SETTINGS the
 * router server's config asks for ({@link H2Settings}).
 */
final class H2Server {
  private H2Server() {}

  static Undertow.Builder options(Undertow.Builder b, H2Settings s) {
    return b.setServerOption(UndertowOptions.ENABLE_HTTP2, true)
        .setServerOption(UndertowOptions.HTTP2_SETTINGS_ENABLE_PUSH, false)
        .setServerOption(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, s.maxConcurrentStreamsPerConnection())
        .setServerOption(UndertowOptions.HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, s.initialStreamWindowBytes())
        .setServerOption(UndertowOptions.HTTP2_SETTINGS_MAX_FRAME_SIZE, s.maxFrameBytes())
        .setServerOption(UndertowOptions.HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, s.maxHeaderListBytes())
        .setServerOption(UndertowOptions.HTTP2_SETTINGS_HEADER_TABLE_SIZE, s.headerTableBytes())
        .setServerOption(UndertowOptions.MAX_HEADER_SIZE, s.maxHeaderListBytes());
  }
}
