package dev.turnout.web.recent;

import dev.turnout.store.DtabStore;
import dev.turnout.tracing.RecentRequests;
import dev.turnout.web.Chrome;
import dev.turnout.web.Pages;
import dev.turnout.web.Routes;
import dev.turnout.web.auth.Auth;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The recent-requests screen ({@value Routes#RECENT}): the last requests {@code io.l5d.recentRequests}
 * sampled, newest first, each with where it went (service name, bound client, endpoint), its status,
 * latency and retries. The table refreshes itself every two seconds through htmx, from the same URL:
 * with {@code HX-Request} it answers only the table, which the full page includes. Without the
 * telemeter the page says how to turn it on.
 */
public final class RecentScreen {
  static final String TABLE_ID = "recent-requests";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final Optional<RecentRequests> recent;
  private final DtabStore store;
  private final Clock clock;
  private final Pages pages;

  private RecentScreen(Optional<RecentRequests> recent, DtabStore store, Clock clock, Pages pages) {
    this.recent = recent;
    this.store = store;
    this.clock = clock;
    this.pages = pages;
  }

  public static void register(
      JavalinConfig config, Optional<RecentRequests> recent, DtabStore store, Clock clock, Pages pages) {
    RecentScreen s = new RecentScreen(recent, store, clock, pages);
    config.routes.get(Routes.RECENT, s::show);
  }

  /** The full page, whose table is {@link View}. */
  public record RecentPage(Chrome chrome, View view) {}

  /** {@code configured}: whether the telemeter is on; {@code asOf}: when the table was read. */
  public record View(boolean configured, int capacity, String asOf, List<Row> rows) {
    public String id() {
      return TABLE_ID;
    }
  }

  /** One request, its texts ready to show; {@code failed} for a 5XX. */
  public record Row(
      String time, String router, String request, String service, String client, String endpoint,
      int status, boolean failed, String latency, int retries) {}

  private void show(Context ctx) {
    View view = view();
    Chrome chrome = new Chrome("Recent requests", Auth.signedIn(ctx), store.namespaces(), Routes.RECENT);
    pages.answer(ctx, "recent/page.jte", new RecentPage(chrome, view), "recent/table.jte", view);
  }

  View view() {
    String asOf = TIME.format(clock.instant());
    if (recent.isEmpty()) {
      return new View(false, 0, asOf, List.of());
    }
    List<Row> rows = new ArrayList<>();
    for (RecentRequests.Entry e : recent.get().latest()) {
      rows.add(
          new Row(
              TIME.format(e.at()), e.router(), e.method() + " " + e.path(), orDash(e.service()), orDash(e.client()),
              orDash(e.endpoint()), e.status(), e.status() >= 500,
              String.format(Locale.ROOT, "%.1f ms", e.latencyMillis()), e.retries()));
    }
    return new View(true, recent.get().capacity(), asOf, rows);
  }

  private static String orDash(String s) {
    return s.isEmpty() ? "–" : s;
  }
}
