package dev.turnout.web.fleet;

import dev.turnout.metrics.TrafficView;
import dev.turnout.store.DtabStore;
import dev.turnout.web.Chrome;
import dev.turnout.web.Pages;
import dev.turnout.web.auth.Auth;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fleet screen: per followed namespace, how many proxies route by its current version ({@code 3 of
 * 3 proxies on v12}) and which are behind, since when; then every member with its routers, what each
 * routes by and whom it follows, when it last reported, and its own figures one click away. The live
 * part re-renders every second ({@value #LIVE} answers the same partial the page includes).
 */
public final class FleetScreen {
  public static final String PAGE = dev.turnout.web.Routes.FLEET;
  public static final String LIVE = "/fleet/live";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private final Fleet fleet;
  private final DtabStore store;
  private final Pages pages;

  private FleetScreen(Fleet fleet, DtabStore store, Pages pages) {
    this.fleet = fleet;
    this.store = store;
    this.pages = pages;
  }

  public static void register(JavalinConfig config, Fleet fleet, DtabStore store, Pages pages) {
    FleetScreen s = new FleetScreen(fleet, store, pages);
    config.routes.get(PAGE, s::page);
    config.routes.get(LIVE, s::live);
  }

  private void page(Context ctx) {
    Chrome chrome = new Chrome("Fleet", Auth.signedIn(ctx), store.namespaces(), PAGE);
    pages.html(ctx, "fleet/page.jte", new FleetPage(chrome, view()));
  }

  private void live(Context ctx) {
    pages.html(ctx, "fleet/live.jte", view());
  }

  /** The page's live part. */
  public record FleetPage(Chrome chrome, View view) {}

  /** {@code note}: why the view may be incomplete, or empty. */
  public record View(String asOf, String note, List<NamespaceRow> namespaces, List<MemberRow> members) {}

  /** {@code summary} reads like {@code 3 of 3 proxies on v12}. */
  public record NamespaceRow(String namespace, String summary, boolean converged, List<String> behind) {}

  public record MemberRow(
      String instance, String role, String admin, String reportedTo, String lastSeen, boolean stale,
      List<String> routers, List<FigureRow> figures) {}

  public record FigureRow(String router, String service, String rate, String success, String p99) {}

  View view() {
    Fleet.State state = fleet.state();
    List<NamespaceRow> namespaces = new ArrayList<>();
    for (Fleet.Convergence c : state.namespaces()) {
      String summary = c.exists()
          ? String.format(Locale.ROOT, "%d of %d prox%s on v%d", c.onVersion(), c.total(),
              c.total() == 1 ? "y" : "ies", c.version())
              + (c.stale() > 0 ? " (" + c.stale() + " stale, not counted as on it)" : "")
          : String.format(Locale.ROOT, "the namespace does not exist; %d prox%s follow it and route by their own dtab",
              c.total(), c.total() == 1 ? "y" : "ies");
      List<String> behind = new ArrayList<>();
      for (Fleet.Behind b : c.behind()) {
        behind.add(String.format(Locale.ROOT, "%s (router %s) on v%d, behind for %.1f s%s",
            b.instance(), b.router(), b.version(), b.behindSeconds(), b.stale() ? ", stale" : ""));
      }
      namespaces.add(new NamespaceRow(c.namespace(), summary, c.exists() && c.onVersion() == c.total(), behind));
    }
    List<MemberRow> members = new ArrayList<>();
    for (Fleet.Member m : state.members()) {
      List<String> routers = new ArrayList<>();
      for (FleetReport.RouterReport r : m.routers()) {
        String problem = r.problem() == null ? "" : " (" + r.problem() + ")";
        if (r.namespace() == null) {
          routers.add(r.router() + ": the dtab of its config" + problem);
        } else {
          String follows = r.following() == null ? "following no control plane now" : "from " + r.following();
          routers.add(r.router() + ": namespace " + r.namespace() + " v" + r.version() + ", " + follows + problem);
        }
      }
      List<FigureRow> figures = new ArrayList<>();
      for (TrafficView.RouterTraffic r : m.traffic()) {
        for (TrafficView.ServiceTraffic s : r.services()) {
          TrafficView.Stats st = s.stats();
          figures.add(new FigureRow(r.router(), s.service(),
              String.format(Locale.ROOT, "%.1f/s", st.requestsPerSecond()),
              Double.isNaN(st.successRate()) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * st.successRate()),
              Double.isNaN(st.p99Millis()) ? "–" : String.format(Locale.ROOT, "%.1f ms", st.p99Millis())));
        }
      }
      String seen = TIME.format(m.lastSeen())
          + (m.stale() ? String.format(Locale.ROOT, " (stale: silent for %.0f s)", m.silentSeconds()) : "");
      members.add(new MemberRow(m.instance(), m.role(), m.admin(), m.reportedTo(), seen, m.stale(), routers, figures));
    }
    String note = state.partial()
        ? "The store's database is not answering: only the members that report to this control plane are shown."
        : "";
    return new View(TIME.format(state.asOf()), note, namespaces, members);
  }
}
