package dev.turnout.web.editor;

import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.WrittenDtab;
import dev.turnout.dtab.Path;
import dev.turnout.metrics.TrafficView;
import dev.turnout.routing.MirrorRule;
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
import dev.turnout.web.routing.PreviewService;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The dtab editor of a namespace. The draft lives in the page (the text, and the version and ETag it
 * started from); every edit posts the whole form and gets back the parts of the page that changed, as
 * htmx out-of-band fragments: the text when the server rewrote it, the parser's verdict, the commit
 * button, the structured dentries, the preview. A commit names the ETag the draft started from, so a
 * commit made meanwhile by someone else is shown as a conflict and never overwritten.
 */
public final class EditorScreen {
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private final DtabStore store;
  private final Pages pages;
  private final DraftAnalysis analysis;

  private EditorScreen(DtabStore store, Pages pages, DraftAnalysis analysis) {
    this.store = store;
    this.pages = pages;
    this.analysis = analysis;
  }

  public static void register(
      JavalinConfig config, DtabStore store, TrafficView traffic, PreviewService preview, Pages pages) {
    EditorScreen s = new EditorScreen(store, pages, new DraftAnalysis(preview, traffic));
    config.routes.get(Routes.NAMESPACE, s::show);
    config.routes.post(Routes.CHECK, s::check);
    config.routes.post(Routes.WEIGHT, s::weight);
    config.routes.post(Routes.CANARY, s::canary);
    config.routes.post(Routes.MIRRORS, s::mirrors);
    config.routes.post(Routes.COMMIT, s::commit);
    config.routes.post(Routes.REBASE, s::rebase);
  }

  private void show(Context ctx) {
    String ns = ctx.pathParam("ns");
    SignedIn who = Auth.signedIn(ctx);
    Optional<DtabVersion> current = store.current(ns);
    String notice = Optional.ofNullable(ctx.queryParam("committed"))
        .map(v -> "Committed version " + v + ".")
        .orElse(current.isEmpty() ? "Namespace " + ns + " does not exist yet: committing creates it." : "");
    String text = current.map(DtabVersion::text).orElse("");
    Draft draft = analysis.analyse(ns, who, text, current, param(ctx, "path"), "");
    pages.html(ctx, "editor/page.jte", page(ctx, ns, draft, current, notice, Optional.empty()));
  }

  private void check(Context ctx) {
    answer(ctx, draftOf(ctx, text(ctx), ""), false);
  }

  private void weight(Context ctx) {
    Auth.writer(ctx);
    String slider = Optional.ofNullable(ctx.header("HX-Trigger")).orElse("");
    int dash = slider.lastIndexOf('-');
    if (!slider.startsWith("w-") || dash <= 2) {
      throw Refusal.badRequest("That slider is not part of this draft; reload the page.");
    }
    UnionAddress at;
    int branch;
    int value;
    try {
      at = UnionAddress.parse(slider.substring(2, dash));
      branch = Integer.parseInt(slider.substring(dash + 1));
      value = Integer.parseInt(param(ctx, slider));
    } catch (IllegalArgumentException e) {
      throw Refusal.badRequest("That slider is not part of this draft; reload the page.");
    }
    String text = edit(() -> Unions.setWeight(text(ctx), at, branch, value));
    Draft draft = draftOf(ctx, text, "");
    StringBuilder out = new StringBuilder();
    out.append(pages.render("editor/text.jte", new Fragment(draft, true)));
    out.append(pages.render("editor/validation.jte", new Fragment(draft, true)));
    out.append(pages.render("editor/preview.jte", new Fragment(draft, true)));
    for (Draft.DentryRow row : draft.dentries()) {
      out.append(pages.render("editor/dst.jte", new DentryFragment(row, true)));
      for (UnionControl u : row.unions()) {
        for (UnionControl.Branch b : u.branches()) {
          SliderFragment f = new SliderFragment(draft.namespace(), draft.who(), u, b, true);
          out.append(pages.render("editor/percent.jte", f));
          if (!b.sliderId().equals(slider)) {
            out.append(pages.render("editor/slider.jte", f));
          }
        }
      }
    }
    Pages.html(ctx, out.toString());
  }

  private void canary(Context ctx) {
    Auth.writer(ctx);
    int index;
    try {
      index = Integer.parseInt(param(ctx, "dentry"));
    } catch (NumberFormatException e) {
      throw Refusal.badRequest("Choose the dentry to start a canary on.");
    }
    String dst = param(ctx, "canary_dst_" + index).strip();
    if (dst.isEmpty()) {
      throw Refusal.badRequest("Name the canary's destination, such as /#/io.l5d.fs/users-v2.");
    }
    Path canary;
    try {
      canary = Path.read(dst);
    } catch (IllegalArgumentException e) {
      throw Refusal.badRequest("The canary destination is not a path: " + e.getMessage());
    }
    String text = edit(() -> Unions.startCanary(text(ctx), index, canary));
    answer(ctx, draftOf(ctx, text, ""), true);
  }

  private void mirrors(Context ctx) {
    Auth.writer(ctx);
    List<String> services = ctx.formParams("mirror_service");
    List<String> destinations = ctx.formParams("mirror_destination");
    List<String> percents = ctx.formParams("mirror_percent");
    int remove = parseOr(param(ctx, "remove_mirror"), -1);
    List<MirrorRule> rules = new ArrayList<>();
    try {
      for (int i = 0; i < services.size(); i++) {
        String service = services.get(i).strip();
        String destination = i < destinations.size() ? destinations.get(i).strip() : "";
        String percent = i < percents.size() ? percents.get(i).strip() : "";
        if (i == remove || (service.isEmpty() && destination.isEmpty())) {
          continue;
        }
        if (service.isEmpty() || destination.isEmpty()) {
          throw new IllegalArgumentException("a dark-traffic rule needs a service prefix and a destination");
        }
        double p;
        try {
          p = Double.parseDouble(percent.replace("%", "").strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("the percentage of " + service + " must be a number from 0 to 100, such as 10");
        }
        if (!(p > 0) || p > 100) {
          throw new IllegalArgumentException("the percentage of " + service + " must be more than 0 and at most 100; remove the rule to stop mirroring");
        }
        rules.add(new MirrorRule(Path.read(service), Path.read(destination), p));
      }
    } catch (IllegalArgumentException e) {
      answer(ctx, draftOf(ctx, text(ctx), "Dark traffic not changed: " + e.getMessage()), false);
      return;
    }
    answer(ctx, draftOf(ctx, MirrorRules.write(text(ctx), rules), ""), true);
  }

  private void commit(Context ctx) {
    SignedIn who = Auth.writer(ctx);
    String ns = ctx.pathParam("ns");
    String text = text(ctx);
    WrittenDtab draft;
    try {
      draft = WrittenDtab.read(text);
    } catch (DtabParseException e) {
      throw Refusal.badRequest("Not committed: the dtab is invalid at line " + e.line() + ", column " + e.column() + ": " + e.getMessage());
    }
    String baseEtag = param(ctx, "base_etag");
    String comment = param(ctx, "comment").strip();
    DtabVersion committed;
    try {
      committed = baseEtag.isEmpty()
          ? store.create(ns, draft, who.name(), comment)
          : store.update(ns, draft, Optional.of(baseEtag), who.name(), comment);
    } catch (StoreException.Conflict c) {
      conflict(ctx, ns, text, c.current());
      return;
    } catch (StoreException.AlreadyExists e) {
      conflict(ctx, ns, text, store.current(ns).orElseThrow(() -> e));
      return;
    } catch (StoreException.NotFound e) {
      throw Refusal.notFound("Namespace " + ns + " was deleted while you edited it; reload to start again.");
    }
    String next = Routes.editor(ns) + "?committed=" + committed.version();
    Pages.redirectAfterPost(ctx, next);
  }

  private void conflict(Context ctx, String ns, String text, DtabVersion theirs) {
    long baseVersion = parseOr(param(ctx, "base_version"), 0);
    String baseText =
        baseVersion > 0 ? store.version(ns, baseVersion).map(DtabVersion::text).orElse("") : "";
    List<DentryDiff.Line> change;
    try {
      change = DentryDiff.between(baseText, theirs.text());
    } catch (IllegalArgumentException unreadable) {
      change = List.of();
    }
    Conflict c = new Conflict(
        ns, baseVersion, theirs.version(), theirs.etag(), theirs.author(), theirs.comment(),
        TIME.format(theirs.createdAt()), change, text, param(ctx, "comment"), baseText);
    ctx.status(HttpStatus.CONFLICT);
    if (Pages.isHtmx(ctx)) {
      ctx.header("HX-Retarget", "#" + Routes.CONFLICT_ID);
      ctx.header("HX-Reswap", "innerHTML");
      pages.html(ctx, "editor/conflict.jte", new ConflictFragment(Auth.signedIn(ctx), c));
    } else {
      Draft draft = draftOf(ctx, text, "");
      pages.html(ctx, "editor/page.jte",
          page(ctx, ns, draft, store.version(ns, baseVersion), "", Optional.of(c)));
    }
  }

  private void rebase(Context ctx) {
    Auth.writer(ctx);
    String ns = ctx.pathParam("ns");
    DtabVersion theirs = store.current(ns)
        .orElseThrow(() -> Refusal.notFound("Namespace " + ns + " no longer exists; reload to start again."));
    String rebased = edit(() -> Rebase.onto(param(ctx, "base_text"), text(ctx), theirs.text()));
    Draft draft = draftOf(ctx, rebased, "");
    String notice = "Your changes are now on top of version " + theirs.version()
        + ". Check the diff below, then commit.";
    pages.html(ctx, "editor/page.jte", page(ctx, ns, draft, Optional.of(theirs), notice, Optional.empty()));
  }

  private EditorPage page(
      Context ctx, String ns, Draft draft, Optional<DtabVersion> base, String notice, Optional<Conflict> c) {
    Chrome chrome = new Chrome("Dtab " + ns, Auth.signedIn(ctx), store.namespaces(), ns);
    return new EditorPage(
        chrome, draft, base.map(DtabVersion::version).orElse(0L),
        base.map(DtabVersion::etag).orElse(""), param(ctx, "comment"), notice, c);
  }

  /** Answers an edit with every part of the editor that depends on the draft, text included or not. */
  private void answer(Context ctx, Draft draft, boolean withText) {
    StringBuilder out = new StringBuilder();
    if (withText) {
      out.append(pages.render("editor/text.jte", new Fragment(draft, true)));
    }
    out.append(pages.render("editor/validation.jte", new Fragment(draft, true)));
    out.append(pages.render("editor/commit.jte", new Fragment(draft, true)));
    out.append(pages.render("editor/structure.jte", new Fragment(draft, true)));
    out.append(pages.render("editor/preview.jte", new Fragment(draft, true)));
    Pages.html(ctx, out.toString());
  }

  private Draft draftOf(Context ctx, String text, String mirrorMessage) {
    String ns = ctx.pathParam("ns");
    return analysis.analyse(
        ns, Auth.signedIn(ctx), text, store.current(ns), param(ctx, "path"), mirrorMessage);
  }

  /** Runs an edit of the draft text, turning "cannot edit this" into a message for the operator. */
  private static String edit(java.util.function.Supplier<String> change) {
    try {
      return change.get();
    } catch (IllegalArgumentException e) {
      throw Refusal.badRequest("Cannot change the draft: " + e.getMessage());
    }
  }

  private static String text(Context ctx) {
    return param(ctx, "text").replace("\r\n", "\n");
  }

  private static String param(Context ctx, String name) {
    String v = ctx.formParam(name);
    if (v == null) {
      v = ctx.queryParam(name);
    }
    return v == null ? "" : v;
  }

  private static int parseOr(String s, int fallback) {
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** A partial of the editor: the draft, and whether it is an out-of-band swap. */
  public record Fragment(Draft draft, boolean oob) {}

  /** One dentry's destination text. */
  public record DentryFragment(Draft.DentryRow row, boolean oob) {}

  /** One slider, or its percentage. */
  public record SliderFragment(
      String namespace, SignedIn who, UnionControl union, UnionControl.Branch branch, boolean oob) {}

  /** The conflict panel. */
  public record ConflictFragment(SignedIn who, Conflict conflict) {}
}
