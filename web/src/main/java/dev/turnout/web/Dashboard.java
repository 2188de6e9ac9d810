package dev.turnout.web;

import dev.turnout.store.Namespaces;
import dev.turnout.store.StoreException;
import dev.turnout.web.auth.Auth;
import dev.turnout.web.editor.EditorScreen;
import dev.turnout.web.fleet.FleetScreen;
import dev.turnout.web.history.HistoryScreen;
import dev.turnout.web.overview.OverviewScreen;
import dev.turnout.web.namers.NamersScreen;
import dev.turnout.web.recent.RecentScreen;
import dev.turnout.web.rollout.RolloutScreen;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator dashboard, mounted on the admin server beside {@code /api/1}: sign-in, the overview with
 * live traffic, the dtab editor with preview, and the history with rollback. Server-rendered jte pages
 * and htmx fragments; htmx and its SSE extension come from their webjars, the CSS and script from
 * {@code static/}.
 *
 * <p>Every failure is mapped here, once, to a message the operator can read in place: in the page's
 * message area for an htmx request, as a page otherwise. No stack trace reaches the browser.
 */
public final class Dashboard {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);

  private Dashboard() {}

  /**
   * Mounts the dashboard on {@code config}. The returned handle stops its live feed when closed; close
   * it when the server stops.
   */
  public static AutoCloseable register(JavalinConfig config, DashboardServices services) {
    Pages pages = Pages.precompiled();
    Assets.register(config);
    Auth.register(
        config,
        services.users(),
        pages,
        Routes.OVERVIEW,
        Routes.SIGN_OUT,
        "/overview/*",
        Routes.DTABS,
        "/dtabs/*",
        Routes.FLEET,
        "/fleet/*",
        Routes.RECENT,
        Routes.NAMERS);
    OverviewScreen overview =
        OverviewScreen.register(
            config, services.store(), services.traffic(), services.preview(), pages, services.clock());
    EditorScreen.register(
        config, services.store(), services.traffic(), services.preview(), pages);
    HistoryScreen.register(config, services.store(), pages);
    RecentScreen.register(config, services.recent(), services.store(), services.clock(), pages);
    NamersScreen.register(config, services.preview(), services.store(), services.clock(), pages);
    services.fleet().ifPresent(f -> FleetScreen.register(config, f, services.store(), pages));
    services.rollouts().ifPresent(d -> RolloutScreen.register(config, d, services.store(), pages));
    config.routes.get(Routes.DTABS, Dashboard::openNamespace);
    config.routes.exception(Refusal.class, (e, ctx) -> notice(ctx, pages, e.status(), e.getMessage()));
    config.routes.exception(
        StoreException.Invalid.class, (e, ctx) -> notice(ctx, pages, 400, e.getMessage()));
    config.routes.exception(
        StoreException.NotFound.class, (e, ctx) -> notice(ctx, pages, 404, e.getMessage()));
    config.routes.exception(
        StoreException.class,
        (e, ctx) -> {
          log.warn("store failure on {} {}: {}", ctx.method(), ctx.path(), e.toString());
          notice(ctx, pages, 503, "The dtab store is not answering, nothing was changed: " + e.getMessage());
        });
    config.routes.exception(
        Exception.class,
        (e, ctx) -> {
          log.error("dashboard failure on {} {}", ctx.method(), ctx.path(), e);
          notice(ctx, pages, 500, "Something went wrong and nothing was changed: " + e);
        });
    return overview;
  }

  /** {@code /dtabs?ns=NAME} opens that namespace's editor; without a name, the overview lists them. */
  private static void openNamespace(Context ctx) {
    String ns = ctx.queryParam("ns");
    if (ns == null || ns.isBlank()) {
      ctx.redirect(Routes.OVERVIEW, HttpStatus.SEE_OTHER);
    } else {
      ctx.redirect(Routes.editor(Namespaces.check(ns.strip())), HttpStatus.SEE_OTHER);
    }
  }

  private static void notice(Context ctx, Pages pages, int status, String message) {
    ctx.status(HttpStatus.forStatus(status));
    if (Pages.isHtmx(ctx)) {
      ctx.header("HX-Retarget", "#" + Routes.MESSAGES_ID);
      ctx.header("HX-Reswap", "innerHTML");
      pages.html(ctx, "layout/notice.jte", new Notice("error", message));
    } else {
      pages.html(ctx, "layout/error.jte", new Notice("error", message));
    }
  }

  /** A message for the operator; {@code kind} is {@code error} or {@code ok}. */
  public record Notice(String kind, String message) {}
}
