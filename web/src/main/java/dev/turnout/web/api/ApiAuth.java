package dev.turnout.web.api;

import dev.turnout.store.User;
import dev.turnout.store.UserStore;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Who may call the API (interfaces.md §4): reads from loopback need no login, as in namerd; reads
 * from elsewhere need any user; every write needs an operator. Credentials come as HTTP Basic. A
 * missing or wrong login is 401 with a {@code WWW-Authenticate} challenge; a viewer writing is 403.
 */
final class ApiAuth {
  static final String REALM = "turnout";
  private static final Map<String, String> CHALLENGE =
      Map.of("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");

  private final UserStore users;

  ApiAuth(UserStore users) {
    this.users = users;
  }

  /** Lets a read through: from loopback always, from elsewhere with a valid login. */
  void requireReader(Context ctx) {
    if (!isLoopback(ctx.req().getRemoteAddr())) {
      requireUser(ctx);
    }
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
    return credentials(header)
        .flatMap(c -> users.authenticate(c[0], c[1]))
        .orElseThrow(() -> new ApiError(401, "wrong user name or password", CHALLENGE));
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
