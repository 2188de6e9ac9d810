package dev.turnout.proxy;

import dev.turnout.proxy.upstream.HeaderSink;
import dev.turnout.routing.Route;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The headers a backend gets: the caller's end-to-end ones, and this hop's own: {@code Via} extended by
 * this server's entry, the destination ({@code l5d-dst-service}, {@code -client}, {@code -residual}),
 * the request id, the local dtab as {@code l5d-ctx-dtab}, the body's framing, and a traced request's
 * context. They are written line by line ({@link HeaderSink}), straight into the head's bytes for
 * Turnout's client: where this hop writes a header of its own the caller's is skipped, not replaced.
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

  /**
   * Also not passed on when this hop writes its own: a held body's {@code Content-Length}, a traced
   * request's {@code traceparent} and {@code l5d-ctx-trace}, or both. The backend gets one of each,
   * this hop's. ({@code Connection} and {@code Upgrade}, which an upgrade writes afresh, are hop-by-hop
   * and never passed on.)
   */
  private static final Set<HttpString> NOT_FORWARDED_HELD = with(NOT_FORWARDED, Headers.CONTENT_LENGTH);

  private static final Set<HttpString> NOT_FORWARDED_TRACED =
      with(NOT_FORWARDED, Observing.TRACEPARENT, Observing.L5D_CTX_TRACE);

  private static final Set<HttpString> NOT_FORWARDED_HELD_TRACED =
      with(NOT_FORWARDED_TRACED, Headers.CONTENT_LENGTH);

  private static Set<HttpString> with(Set<HttpString> base, HttpString... more) {
    Set<HttpString> all = new HashSet<>(base);
    all.addAll(List.of(more));
    return Set.copyOf(all);
  }

  private UpstreamHeaders() {}

  /**
   * Writes to {@code out} the header lines of {@code exchange}'s request going to {@code target}: the
   * caller's end-to-end headers as they came, then this hop's own, each once. {@code upgrade}: the
   * caller asks to switch protocols; {@code body}: the body held whole, or null; {@code traceparent}
   * and {@code ctxTrace}: a traced request's context for the backend, else null.
   */
  static void write(
      HeaderSink out,
      HttpServerExchange exchange,
      Routed routed,
      Route.Target target,
      boolean upgrade,
      boolean hasBody,
      byte[] body,
      String traceparent,
      String ctxTrace) {
    HeaderMap in = exchange.getRequestHeaders();
    boolean traced = traceparent != null;
    Set<HttpString> skip =
        body != null
            ? traced ? NOT_FORWARDED_HELD_TRACED : NOT_FORWARDED_HELD
            : traced ? NOT_FORWARDED_TRACED : NOT_FORWARDED;
    Hop.forward(in, skip, out);
    if (upgrade) {
      out.header(Headers.CONNECTION, "Upgrade");
      out.header(Headers.UPGRADE, in.getFirst(Headers.UPGRADE));
    }
    if (body != null) {
      out.header(Headers.CONTENT_LENGTH, Integer.toString(body.length));
    } else if (hasBody && !Hop.forwards(in, Headers.CONTENT_LENGTH)) {
      out.header(Headers.TRANSFER_ENCODING, "chunked");
    }
    out.header(L5dHeaders.VIA, L5dHeaders.appendVia(in.get(L5dHeaders.VIA), routed.via()));
    out.header(L5dHeaders.DST_SERVICE, routed.serviceName());
    out.header(L5dHeaders.DST_CLIENT, target.id());
    if (!target.residual().isEmpty()) {
      out.header(L5dHeaders.DST_RESIDUAL, target.residual());
    }
    routed.writeRequestId(out);
    if (!routed.local().isEmpty()) {
      out.header(L5dHeaders.CTX_DTAB, routed.local().show());
    }
    if (traced) {
      out.header(Observing.TRACEPARENT, traceparent);
      out.header(Observing.L5D_CTX_TRACE, ctxTrace);
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
