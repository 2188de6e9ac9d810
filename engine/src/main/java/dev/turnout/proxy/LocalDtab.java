package dev.turnout.proxy;

import dev.turnout.config.ServerConfig;
import dev.turnout.dtab.Dtab;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Override parsing: the request's local dtab, {@code l5d-ctx-dtab} then {@code l5d-dtab}, when the
 * server lets this caller override at all ({@code dtabOverrides}); none, with every context header
 * dropped, on a server that clears context ({@code clearContext}).
 */
final class LocalDtab {
  private final boolean clearContext;
  private final ServerConfig.Overrides overrides;

  LocalDtab(ServerConfig server) {
    this.clearContext = server.clearContext();
    this.overrides = server.overrides();
  }

  /**
   * The request's local dtab, {@link Dtab#EMPTY} when it carries none.
   *
   * @throws Refusal 400 when the caller may not override, or a dtab header does not parse
   */
  Dtab read(HttpServerExchange exchange) {
    if (clearContext) {
      clearContext(exchange.getRequestHeaders());
      return Dtab.EMPTY;
    }
    if (!carriesOverride(exchange)) {
      return Dtab.EMPTY; // most requests: nothing more to look at
    }
    if (!mayOverride(exchange)) {
      throw new Refusal(400, "This server does not accept dtab overrides (l5d-dtab, l5d-ctx-dtab) from "
          + callerAddress(exchange) + " (dtabOverrides: " + overrides.name().toLowerCase(Locale.ROOT) + ")");
    }
    try {
      return headerDtab(exchange, L5dHeaders.CTX_DTAB).concat(headerDtab(exchange, L5dHeaders.DTAB));
    } catch (IllegalArgumentException e) {
      throw new Refusal(400, e.getMessage());
    }
  }

  /**
   * Drops what an untrusted caller could use to steer or shape this request: its dtab overrides and
   * every context header ({@code l5d-ctx-*}: dtab, deadline, trace) and the trace sampling rate.
   */
  private static void clearContext(HeaderMap headers) {
    List<HttpString> drop = new ArrayList<>();
    for (HttpString name : headers.getHeaderNames()) {
      String n = name.toString();
      if (n.regionMatches(true, 0, "l5d-ctx-", 0, 8)
          || n.equalsIgnoreCase("l5d-dtab")
          || n.equalsIgnoreCase("l5d-sample")) {
        drop.add(name);
      }
    }
    drop.forEach(headers::remove);
  }

  private static Dtab headerDtab(HttpServerExchange exchange, HttpString name) {
    HeaderValues values = exchange.getRequestHeaders().get(name);
    if (values == null || values.isEmpty()) {
      return Dtab.EMPTY;
    }
    if (values.size() == 1 && values.getFirst().isBlank()) {
      return Dtab.EMPTY;
    }
    Dtab out = Dtab.EMPTY;
    for (String v : values) {
      try {
        out = out.concat(Dtab.read(v));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Invalid " + name + " header: " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static boolean carriesOverride(HttpServerExchange exchange) {
    HeaderMap h = exchange.getRequestHeaders();
    return h.contains(L5dHeaders.DTAB) || h.contains(L5dHeaders.CTX_DTAB);
  }

  private boolean mayOverride(HttpServerExchange exchange) {
    switch (overrides) {
      case ACCEPT:
        return true;
      case LOOPBACK:
        InetSocketAddress from = exchange.getSourceAddress();
        return from != null && from.getAddress() != null && from.getAddress().isLoopbackAddress();
      default:
        return false;
    }
  }

  private static String callerAddress(HttpServerExchange exchange) {
    InetSocketAddress from = exchange.getSourceAddress();
    return from == null || from.getAddress() == null ? "this caller" : from.getAddress().getHostAddress();
  }
}
