package dev.turnout.proxy;

import dev.turnout.proxy.upstream.H2Shadows;
import dev.turnout.proxy.upstream.H2Upstream;
import dev.turnout.proxy.upstream.Http1Client;
import dev.turnout.proxy.upstream.UndertowUpstream;
import dev.turnout.proxy.upstream.UpstreamClient;

/**
 * The upstream clients, each with its keep-alive pools per endpoint, shared by every router of the
 * process: Turnout's own {@link Http1Client}, which carries every request whose body (if any) is held
 * whole and which asks for no upgrade, and Undertow's ({@link UndertowUpstream}), which carries the
 * rest (a streamed body, an upgrade); and {@link H2Upstream}, which carries every request of h2 routers.
 */
final class Pools implements AutoCloseable {
  /**
   * Whether requests that Turnout's own client can carry go by it. {@code
   * -Dturnout.proxy.upstream=undertow} sends every request by Undertow's client instead, for comparing
   * the two under the same load.
   */
  static final boolean LEAN = !"undertow".equals(System.getProperty("turnout.proxy.upstream"));

  private final Http1Client http1 = new Http1Client();
  private final UndertowUpstream undertow = new UndertowUpstream();
  private final H2Upstream h2 = new H2Upstream();
  private final H2Shadows shadows = new H2Shadows();

  /** The HTTP/2 connections open to every endpoint, on every IO thread. */
  int h2Open() {
    return h2.open();
  }

  /** The HTTP/2 connections a backend went away on that still finish their streams. */
  int h2GoneAway() {
    return h2.goneAway();
  }

  /**
   * The client for a request: Turnout's own when {@code lean} (no body or one held whole, no upgrade)
   * and {@link #LEAN} allows it, else Undertow's.
   */
  UpstreamClient client(boolean lean) {
    return lean && LEAN ? http1 : undertow;
  }

  /** The client of h2 routers: HTTP/2, one connection per endpoint and IO thread. */
  H2Upstream h2() {
    return h2;
  }

  /** The HTTP/2 connections of h2 routers' shadow copies, apart from {@link #h2()}'s. */
  H2Shadows shadows() {
    return shadows;
  }

  /** Turnout's own client's connections open or being opened, to every endpoint. */
  int upstreamOpen() {
    return http1.open();
  }

  @Override
  public void close() {
    undertow.close();
    http1.close();
    h2.close();
    shadows.close();
  }
}
