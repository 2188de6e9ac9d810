package dev.turnout.web.namers;

import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.NamerStatus;
import dev.turnout.store.DtabStore;
import dev.turnout.web.Chrome;
import dev.turnout.web.Pages;
import dev.turnout.web.Routes;
import dev.turnout.web.auth.Auth;
import dev.turnout.web.routing.PreviewService;
import dev.turnout.web.routing.SourceText;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The namers screen ({@value Routes#NAMERS}): each configured namer with its registry, when it last
 * answered and its last error, shown stale when it lost its registry (its names keep their last
 * endpoints, and the screen says so rather than showing them as current), and every name it follows
 * with its endpoints. Refreshes itself every two seconds through htmx from the same URL.
 */
public final class NamersScreen {
  static final String PANEL_ID = "namers";
  /** Endpoints listed per name; the rest are counted. */
  static final int SHOWN_ENDPOINTS = 8;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final PreviewService preview;
  private final DtabStore store;
  private final Clock clock;
  private final Pages pages;

  private NamersScreen(PreviewService preview, DtabStore store, Clock clock, Pages pages) {
    this.preview = preview;
    this.store = store;
    this.clock = clock;
    this.pages = pages;
  }

  public static void register(JavalinConfig config, PreviewService preview, DtabStore store, Clock clock, Pages pages) {
    NamersScreen s = new NamersScreen(preview, store, clock, pages);
    config.routes.get(Routes.NAMERS, s::show);
  }

  public record NamersPage(Chrome chrome, View view) {}

  public record View(String asOf, List<NamerRow> namers) {
    public String id() {
      return PANEL_ID;
    }
  }

  /** One namer: its mount, where its names come from, and whether that source is out of reach. */
  public record NamerRow(String prefix, String source, boolean stale, boolean hasError, List<NameRow> names) {}

  /** One followed name: its state ({@code bound}, {@code neg}, {@code failed}, {@code pending}) and endpoints. */
  public record NameRow(String id, String state, int count, String endpoints, String detail) {}

  private void show(Context ctx) {
    View view = view();
    Chrome chrome = new Chrome("Namers", Auth.signedIn(ctx), store.namespaces(), Routes.NAMERS);
    pages.answer(ctx, "namers/page.jte", new NamersPage(chrome, view), "namers/panel.jte", view);
  }

  View view() {
    List<NamerRow> rows = new ArrayList<>();
    for (Interpreter.Mount m : preview.namers()) {
      Optional<NamerStatus> status = m.namer().status();
      List<NameRow> names = new ArrayList<>();
      for (Map.Entry<dev.turnout.dtab.Path, Addr> e : m.namer().names().entrySet()) {
        names.add(name(e.getKey().show(), e.getValue()));
      }
      rows.add(
          new NamerRow(
              m.prefix().show(),
              status.map(SourceText::of).orElse("no registry status reported"),
              status.map(NamerStatus::stale).orElse(false),
              status.flatMap(NamerStatus::lastError).isPresent(),
              names));
    }
    return new View(TIME.format(clock.instant()), rows);
  }

  private static NameRow name(String id, Addr addr) {
    if (addr instanceof Addr.Bound b) {
      List<String> shown = new ArrayList<>();
      for (Address a : b.addresses()) {
        if (shown.size() == SHOWN_ENDPOINTS) {
          break;
        }
        shown.add(a.weight() == 1.0 ? a.hostPort() : a.hostPort() + " ×" + fmt(a.weight()));
      }
      int more = b.addresses().size() - shown.size();
      String list = String.join(", ", shown) + (more > 0 ? " and " + more + " more" : "");
      return new NameRow(id, "bound", b.addresses().size(), b.addresses().isEmpty() ? "no endpoints" : list, "");
    }
    if (addr instanceof Addr.Failed f) {
      return new NameRow(id, "failed", 0, "", f.message());
    }
    if (addr instanceof Addr.Neg) {
      return new NameRow(id, "neg", 0, "", "the registry no longer has this name");
    }
    return new NameRow(id, "pending", 0, "", "waiting for the registry's first answer");
  }

  private static String fmt(double w) {
    return w == Math.rint(w) ? String.valueOf((long) w) : String.format(Locale.ROOT, "%.2f", w);
  }
}
