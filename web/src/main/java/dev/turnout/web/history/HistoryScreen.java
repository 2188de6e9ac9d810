package dev.turnout.web.history;

import dev.turnout.store.DtabStore;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.StoreException;
import dev.turnout.web.Chrome;
import dev.turnout.web.Pages;
import dev.turnout.web.Refusal;
import dev.turnout.web.Routes;
import dev.turnout.web.auth.Auth;
import dev.turnout.web.auth.SignedIn;
import dev.turnout.web.routing.DentryDiff;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A namespace's history and its one-click rollback. Rolling back commits a new version whose text is
 * that of the chosen one, naming the version the page showed as current, so a rollback made on a stale
 * page is refused rather than undoing a change its operator never saw.
 */
public final class HistoryScreen {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private final DtabStore store;
  private final Pages pages;

  private HistoryScreen(DtabStore store, Pages pages) {
    this.store = store;
    this.pages = pages;
  }

  public static void register(JavalinConfig config, DtabStore store, Pages pages) {
    HistoryScreen s = new HistoryScreen(store, pages);
    config.routes.get(Routes.HISTORY, s::show);
    config.routes.post(Routes.ROLLBACK, s::rollback);
  }

  private void show(Context ctx) {
    String ns = ctx.pathParam("ns");
    String notice = Optional.ofNullable(ctx.queryParam("rolledBack"))
        .map(v -> "Rolled back: version " + v + " is now in force. The overview shows the traffic move.")
        .orElse("");
    pages.html(ctx, "history/page.jte", page(ctx, ns, notice));
  }

  private void rollback(Context ctx) {
    SignedIn who = Auth.writer(ctx);
    String ns = ctx.pathParam("ns");
    long version;
    try {
      version = Long.parseLong(Optional.ofNullable(ctx.formParam("version")).orElse(""));
    } catch (NumberFormatException e) {
      throw Refusal.badRequest("Choose the version to roll back to.");
    }
    String etag = Optional.ofNullable(ctx.formParam("current_etag")).orElse("");
    DtabVersion made;
    try {
      made = store.rollback(ns, version, etag.isEmpty() ? Optional.empty() : Optional.of(etag),
          who.name(), "Roll back to version " + version);
    } catch (StoreException.Conflict c) {
      throw new Refusal(409, "Not rolled back: version " + c.current().version()
          + " was committed by " + c.current().author() + " since this page was loaded. Reload the history and check it first.");
    } catch (StoreException.NotFound e) {
      throw Refusal.notFound("Namespace " + ns + " or its version " + version + " does not exist.");
    }
    String next = Routes.history(ns) + "?rolledBack=" + made.version();
    Pages.redirectAfterPost(ctx, next);
  }

  private HistoryPage page(Context ctx, String ns, String notice) {
    List<DtabVersion> versions = store.versions(ns);
    if (versions.isEmpty()) {
      throw Refusal.notFound("Namespace " + ns + " has no history: it was never created.");
    }
    List<HistoryPage.Row> rows = new ArrayList<>();
    for (int i = 0; i < versions.size(); i++) {
      DtabVersion v = versions.get(i);
      String before = i + 1 < versions.size() ? versions.get(i + 1).text() : "";
      rows.add(new HistoryPage.Row(
          v.version(), v.author(), TIME.format(v.createdAt()),
          v.comment() == null ? "" : v.comment(), v.deleted(), diff(before, v.text())));
    }
    DtabVersion current = versions.get(0);
    Chrome chrome = new Chrome("History of " + ns, Auth.signedIn(ctx), store.namespaces(), ns);
    return new HistoryPage(chrome, ns, current.etag(), current.version(), rows, notice);
  }

  private static List<DentryDiff.Line> diff(String before, String after) {
    try {
      return DentryDiff.between(before, after);
    } catch (IllegalArgumentException unreadable) {
      return List.of();
    }
  }
}
