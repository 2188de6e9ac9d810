package dev.turnout.web.api;

import dev.turnout.store.LoginOutcome;
import dev.turnout.store.User;
import dev.turnout.store.UserStore;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may call the API (interfaces.md §4): reads from loopback need no login, as in namerd; reads
 * from elsewhere need any user; every write needs an operator. Credentials come as HTTP Basic. A
 * missing or wrong login is 401 with a {@code WWW-Authenticate} challenge; a viewer writing is 403; a
 * client that has used up its sign-in allowance is 429 with {@code Retry-After}, its password unchecked.
 *
 * <p>A loopback caller is trusted only when it called directly. A request that came through a proxy
 * (Turnout's own adds {@code Via}, {@code l5d-dst-service} and {@code l5d-reqid} to every request it
 * forwards, and a caller cannot take them off) arrives from the proxy's loopback address on behalf of
 * someone else, so it needs a login like any remote caller: an {@code l5d-dtab} override pointing a
 * service at the admin port gains nothing.
 */
final class ApiAuth {
  static final String REALM = "turnout";
  private static final Map<String, String> CHALLENGE =
      Map.of("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");

  private final UserStore users;

  ApiAuth(UserStore users) {
    this.users = users;
  }

  /**
   * Headers that show a request was forwarded: Turnout's proxy sets the first three on every request it
   * sends on, and other proxies set the rest.
   */
  static final List<String> FORWARDED_BY_A_PROXY =
      List.of("Via", "l5d-dst-service", "l5d-reqid", "l5d-dst-client", "l5d-ctx-dtab", "Forwarded", "X-Forwarded-For");

  /** Lets a read through: from a direct loopback caller always, from anyone else with a valid login. */
  void requireReader(Context ctx) {
    if (!isDirectLoopbackCaller(ctx)) {
      requireUser(ctx);
    }
  }

  /** Called from loopback, and not on someone else's behalf through a proxy. */
  static boolean isDirectLoopbackCaller(Context ctx) {
    if (!isLoopback(ctx.req().getRemoteAddr())) {
      return false;
    }
    for (String header : FORWARDED_BY_A_PROXY) {
      if (ctx.header(header) != null) {
        return false;
      }
    }
    return true;
  }

  /**
   * The operator making this write. A browser that sends another site's request here (a form post with
   * cached Basic credentials) is refused before any password check: writes come from tools such as
   * namerctl and curl, which send neither {@code Sec-Fetch-Site} nor a foreign {@code Origin}, or from
   * the dashboard, which has its own CSRF token.
   */
  User requireOperator(Context ctx) {
    refuseCrossSite(ctx);
    User user = requireUser(ctx);
    if (!user.role().mayWrite()) {
      throw new ApiError(
          403, "user '" + user.name() + "' is a viewer and may not change dtabs");
    }
    return user;
  }

  private User requireUser(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw new ApiError(401, "authentication required (HTTP Basic)", CHALLENGE);
    }
    Optional<String[]> given = credentials(header);
    if (given.isEmpty()) {
      throw new ApiError(401, "wrong user name or password", CHALLENGE);
    }
    LoginOutcome outcome = users.login(ctx.ip(), given.get()[0], given.get()[1]);
    if (outcome instanceof LoginOutcome.Accepted ok) {
      return ok.user();
    }
    if (outcome instanceof LoginOutcome.Throttled wait) {
      throw new ApiError(
          429,
          "too many sign-in attempts from " + ctx.ip() + "; try again in " + wait.retryAfterSeconds() + " s",
          Map.of("Retry-After", Long.toString(wait.retryAfterSeconds())));
    }
    throw new ApiError(401, "wrong user name or password", CHALLENGE);
  }

  private static void refuseCrossSite(Context ctx) {
    String site = ctx.header("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      throw new ApiError(403, "cross-site writes are refused (Sec-Fetch-Site: " + site + ")");
    }
    String origin = ctx.header("Origin");
    String host = ctx.header("Host");
    if (origin != null && host != null && !origin.equals("null")) {
      String originHost = origin.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
      if (!originHost.equalsIgnoreCase(host)) {
        throw new ApiError(403, "cross-site writes are refused (Origin " + origin + " is not " + host + ")");
      }
    } else if ("null".equals(origin)) {
      throw new ApiError(403, "cross-site writes are refused (Origin null)");
    }
  }

  /** {@code [name, password]} from a {@code Basic} Authorization header. */
  private static Optional<String[]> credentials(String header) {
    String h = header.strip();
    if (h.length() < 6 || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    try {
      String decoded =
          new String(Base64.getDecoder().decode(h.substring(6).strip()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0
          ? Optional.empty()
          : Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  static boolean isLoopback(String remoteAddr) {
    if (remoteAddr == null) {
      return false;
    }
    String literal =
        remoteAddr.startsWith("[") && remoteAddr.endsWith("]")
            ? remoteAddr.substring(1, remoteAddr.length() - 1)
            : remoteAddr;
    // only IP literals are accepted, so getByName never goes to DNS
    if (!literal.matches("[0-9.]+|[0-9A-Fa-f:.%a-zA-Z]*:[0-9A-Fa-f:.%a-zA-Z]*")) {
      return false;
    }
    try {
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
