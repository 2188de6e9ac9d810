package dev.turnout.web;

import io.javalin.config.JavalinConfig;

/**
 * The headers a security review expects on every answer of the admin port. The dashboard loads its
 * scripts, styles and htmx from itself only, with no inline script or style attribute (the traffic
 * bars are SVG whose sizes are attributes, and htmx's indicator styles and eval are turned off in
 * {@code layout/page.jte}), so the policy needs no {@code 'unsafe-inline'}; htmx's requests and SSE
 * go to the same origin. {@code frame-ancestors 'none'} keeps the dashboard out of anyone's frame.
 * {@code Strict-Transport-Security} is added by the HTTPS connector, on HTTPS answers only.
 */
public final class SecurityHeaders {
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
          + " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  public static final String REFERRER_POLICY = "same-origin";

  private SecurityHeaders() {}

  public static void register(JavalinConfig config) {
    config.routes.before(ctx -> {
      ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
      ctx.header("X-Content-Type-Options", "nosniff");
      ctx.header("Referrer-Policy", REFERRER_POLICY);
      ctx.header("X-Frame-Options", "DENY");
    });
  }
}
