package dev.turnout.web.overview;

import dev.turnout.metrics.TrafficView;
import dev.turnout.store.DtabStore;
import dev.turnout.web.Chrome;
import dev.turnout.web.Pages;
import dev.turnout.web.Routes;
import dev.turnout.web.auth.Auth;
import dev.turnout.web.routing.PreviewService;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The overview page and its live feed. Once a second, while anyone is watching, one thread renders the
 * traffic partial once and sends it to every open SSE stream as a {@code traffic} event, which htmx's
 * SSE extension swaps in: the same markup a full page load shows, at most a second old.
 */
public final class OverviewScreen implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OverviewScreen.class);
  static final String EVENT = "traffic";

  private final DtabStore store;
  private final Pages pages;
  private final TrafficCards cards;
  private final AutoCloseable storeEvents;
  private final Set<SseClient> watchers = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "turnout-overview-live");
        t.setDaemon(true);
        return t;
      });

  private OverviewScreen(
      DtabStore store, TrafficView traffic, PreviewService preview, Pages pages, Clock clock) {
    this.store = store;
    this.pages = pages;
    this.cards = new TrafficCards(traffic, store, preview, clock);
    this.storeEvents = store.subscribe(cards::heard);
  }

  /** Mounts the overview; closing the result stops the live feed. */
  public static OverviewScreen register(
      JavalinConfig config,
      DtabStore store,
      TrafficView traffic,
      PreviewService preview,
      Pages pages,
      Clock clock) {
    OverviewScreen s = new OverviewScreen(store, traffic, preview, pages, clock);
    config.routes.get(Routes.OVERVIEW, s::show);
    config.routes.sse(Routes.LIVE, s::watch);
    s.ticker.scheduleAtFixedRate(s::push, 1, 1, TimeUnit.SECONDS);
    return s;
  }

  private void show(Context ctx) {
    Chrome chrome = new Chrome("Overview", Auth.signedIn(ctx), store.namespaces(), "");
    OverviewPage.Traffic now = cards.now();
    pages.answer(ctx, "overview/page.jte", new OverviewPage(chrome, now), "overview/traffic.jte", now);
  }

  private void watch(SseClient client) {
    client.keepAlive();
    client.onClose(() -> watchers.remove(client));
    watchers.add(client);
  }

  private void push() {
    if (watchers.isEmpty()) {
      return;
    }
    String html;
    try {
      html = pages.render("overview/traffic.jte", cards.now());
    } catch (RuntimeException e) {
      log.warn("could not render live traffic: {}", e.toString());
      html = pages.render("overview/unavailable.jte", e.getMessage() == null ? e.toString() : e.getMessage());
    }
    for (SseClient c : watchers) {
      if (c.terminated()) {
        watchers.remove(c);
        continue;
      }
      try {
        c.sendEvent(EVENT, html);
      } catch (RuntimeException gone) {
        watchers.remove(c);
      }
    }
  }

  /**
   * Stops the feed. Open streams are left to the server's own stop: closing them here, after their
   * requests may already have been recycled, only makes Jetty throw.
   */
  @Override
  public void close() {
    ticker.shutdownNow();
    watchers.clear();
    try {
      storeEvents.close();
    } catch (Exception e) {
      log.debug("closing the store subscription failed", e);
    }
  }
}
