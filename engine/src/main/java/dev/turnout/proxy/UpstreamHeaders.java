package dev.turnout.proxy;

import dev.turnout.routing.Route;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.Set;

/**
 * The headers a backend gets: the caller's end-to-end ones, and this hop's own: {@code Via} extended by
 * this server's entry, the destination ({@code l5d-dst-service}, {@code -client}, {@code -residual}),
 * the request id, the local dtab as {@code l5d-ctx-dtab}, and the body's framing.
 */
final class UpstreamHeaders {
  /**
   * Read here and not passed on: the dtab headers (the local dtab goes out as {@code l5d-ctx-dtab}),
   * {@code Via} (extended), {@code Expect} (the caller's 100-continue is answered by this server as the
   * body is first read), and the destination headers this hop sets itself, so a caller's stale or
   * forged {@code l5d-dst-residual} never reaches a backend whose residual is empty.
   */
  private static final Set<HttpString> NOT_FORWARDED =
      Set.of(
          L5dHeaders.DTAB,
          L5dHeaders.CTX_DTAB,
          L5dHeaders.VIA,
          Headers.EXPECT,
          L5dHeaders.DST_SERVICE,
          L5dHeaders.DST_CLIENT,
          L5dHeaders.DST_RESIDUAL,
          L5dHeaders.REQID);

  private UpstreamHeaders() {}

  /**
   * Puts into {@code h} the headers of {@code exchange}'s request going to {@code target}. {@code
   * upgrade}: the caller asks to switch protocols; {@code body}: the body held whole, or null.
   */
  static void put(
      HeaderMap h,
      HttpServerExchange exchange,
      Routed routed,
      Route.Target target,
      boolean upgrade,
      boolean hasBody,
      byte[] body) {
    HeaderMap in = exchange.getRequestHeaders();
    Hop.copy(in, h, NOT_FORWARDED);
    if (upgrade) {
      h.put(Headers.CONNECTION, "Upgrade");
      h.put(Headers.UPGRADE, in.getFirst(Headers.UPGRADE));
    }
    if (hasBody && !h.contains(Headers.CONTENT_LENGTH)) {
      h.put(Headers.TRANSFER_ENCODING, Headers.CHUNKED.toString());
    }
    if (body != null) {
      h.put(Headers.CONTENT_LENGTH, body.length);
    }
    h.put(L5dHeaders.VIA, L5dHeaders.appendVia(in.get(L5dHeaders.VIA), routed.via()));
    h.put(L5dHeaders.DST_SERVICE, routed.serviceName());
    h.put(L5dHeaders.DST_CLIENT, target.id());
    if (!target.residual().isEmpty()) {
      h.put(L5dHeaders.DST_RESIDUAL, target.residual());
    }
    h.put(L5dHeaders.REQID, routed.requestId());
    if (!routed.local().isEmpty()) {
      h.put(L5dHeaders.CTX_DTAB, routed.local().show());
    }
  }

  /**
   * The caller asks to switch protocols. Not for {@code h2c} alone, which is read as no upgrade: the
   * Upgrade header is hop-by-hop and a server may ignore it (RFC 9110 section 7.8), RFC 9113 retired
   * h2c upgrades, and a backend that took one would carry every later request of that connection
   * past routing. Java's own HTTP client asks for it on every plain-HTTP request by default.
   */
  static boolean upgradeAsked(HttpServerExchange exchange) {
    String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
    return upgrade != null && !upgrade.trim().equalsIgnoreCase("h2c");
  }
}
