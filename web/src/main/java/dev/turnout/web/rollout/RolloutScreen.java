package dev.turnout.web.rollout;

import dev.turnout.store.DtabStore;
import dev.turnout.web.Chrome;
import dev.turnout.web.Pages;
import dev.turnout.web.Refusal;
import dev.turnout.web.Routes;
import dev.turnout.web.auth.Auth;
import dev.turnout.web.auth.SignedIn;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rollouts of a namespace on the dashboard: a form to start one (prefilled from the editor's dentry
 * and canary branch), and a panel per rollout with its steps and verdicts, the live figures of canary
 * and stable against the guardrails, charts with the thresholds drawn, and pause, resume, promote and
 * abort for operators. An active rollout's panel replaces itself every two seconds, so an automatic
 * rollback shows without a reload. Every change goes through the {@link RolloutDriver}, as the API's do.
 */
public final class RolloutScreen {
  /** The start form's defaults: the example rollout. */
  static final String DEFAULT_STEPS = "5, 20, 50, 100";

  private final RolloutDriver driver;
  private final Figures figures;
  private final DtabStore store;
  private final Pages pages;

  private RolloutScreen(RolloutDriver driver, Figures figures, DtabStore store, Pages pages) {
    this.driver = driver;
    this.figures = figures;
    this.store = store;
    this.pages = pages;
  }

  /** Mounts the screen; its live figures are those {@code driver} judges on. */
  public static void register(JavalinConfig config, RolloutDriver driver, DtabStore store, Pages pages) {
    RolloutScreen s = new RolloutScreen(driver, driver.figures(), store, pages);
    config.routes.get(Routes.ROLLOUTS, s::list);
    config.routes.post(Routes.ROLLOUTS, s::start);
    config.routes.get(Routes.ROLLOUT, s::one);
    config.routes.post(Routes.ROLLOUT_ACTION, s::act);
  }

  private void list(Context ctx) {
    String ns = ctx.pathParam("ns");
    SignedIn who = Auth.signedIn(ctx);
    List<RolloutPanel> panels = new ArrayList<>();
    for (Rollout r : refusing(() -> driver.list(ns))) {
      panels.add(RolloutPanel.of(r, who, figures));
    }
    StartForm form = new StartForm(param(ctx, "service"), param(ctx, "canary"), DEFAULT_STEPS, "60", "99", "500",
        "0", "100", "0");
    pages.html(ctx, "rollout/page.jte", new RolloutsPage(chrome(ctx, ns), ns, form, panels));
  }

  private void one(Context ctx) {
    String ns = ctx.pathParam("ns");
    Rollout r = refusing(() -> driver.get(ns, id(ctx)));
    RolloutPanel panel = RolloutPanel.of(r, Auth.signedIn(ctx), figures);
    StartForm none = StartForm.EMPTY;
    pages.answer(ctx, "rollout/page.jte", new RolloutsPage(chrome(ctx, ns), ns, none, List.of(panel)),
        "rollout/panel.jte", panel);
  }

  private void start(Context ctx) {
    Auth.writer(ctx);
    String ns = ctx.pathParam("ns");
    RolloutSpec spec;
    try {
      spec = new RolloutSpec(param(ctx, "service").strip(), param(ctx, "canary").strip(), steps(param(ctx, "steps")),
          whole(ctx, "stepSeconds"), number(ctx, "minSuccessRate") / 100, number(ctx, "maxP99Ms"),
          number(ctx, "maxP99Ratio"), whole(ctx, "minRequests"), whole(ctx, "gateBefore"));
    } catch (IllegalArgumentException e) {
      throw Refusal.badRequest("Not started: " + e.getMessage());
    }
    Rollout r = refusing(() -> driver.start(ns, spec));
    Pages.redirectAfterPost(ctx, Routes.rollouts(ns) + "#rollout-" + r.id());
  }

  private void act(Context ctx) {
    String who = Auth.writer(ctx).name();
    String ns = ctx.pathParam("ns");
    long id = id(ctx);
    String action = ctx.pathParam("action");
    Rollout r = refusing(() -> switch (action) {
      case "pause" -> driver.pause(ns, id, who);
      case "resume" -> driver.resume(ns, id, who);
      case "promote" -> driver.promote(ns, id, who);
      case "abort" -> driver.abort(ns, id, who);
      default -> throw Refusal.notFound("A rollout has no action '" + action + "'.");
    });
    if (Pages.isHtmx(ctx)) {
      pages.html(ctx, "rollout/panel.jte", RolloutPanel.of(r, Auth.signedIn(ctx), figures));
    } else {
      Pages.redirectAfterPost(ctx, Routes.rollouts(ns) + "#rollout-" + r.id());
    }
  }

  private Chrome chrome(Context ctx, String ns) {
    return new Chrome("Rollouts of " + ns, Auth.signedIn(ctx), store.namespaces(), ns);
  }

  /** Runs a driver call, turning its refusal into the dashboard's, with the same status. */
  private static <T> T refusing(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (RolloutDriver.Refused e) {
      throw new Refusal(e.status(), capitalised(e.getMessage()));
    }
  }

  private static String capitalised(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** {@code "5, 20 50,100"} as percents. */
  static List<Integer> steps(String text) {
    List<Integer> out = new ArrayList<>();
    for (String part : text.strip().split("[,\\s]+")) {
      if (part.isEmpty()) {
        continue;
      }
      try {
        out.add(Integer.parseInt(part.replace("%", "")));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("steps must be whole percents such as " + DEFAULT_STEPS + ", not '" + part + "'");
      }
    }
    return out;
  }

  private static int whole(Context ctx, String field) {
    String v = param(ctx, field).strip();
    if (v.isEmpty()) {
      return 0;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " must be a whole number, not '" + v + "'");
    }
  }

  private static double number(Context ctx, String field) {
    String v = param(ctx, field).replace("%", "").strip();
    if (v.isEmpty()) {
      return 0;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " must be a number, not '" + v + "'");
    }
  }

  private static long id(Context ctx) {
    String id = ctx.pathParam("id");
    if (!id.matches("[0-9]{1,18}")) {
      throw Refusal.notFound("Namespace " + ctx.pathParam("ns") + " has no rollout " + id + ".");
    }
    return Long.parseLong(id);
  }

  private static String param(Context ctx, String name) {
    String v = ctx.formParam(name);
    if (v == null) {
      v = ctx.queryParam(name);
    }
    return v == null ? "" : v;
  }

  /** The rollouts page: the start form (shown to operators) and a panel per rollout, newest first. */
  public record RolloutsPage(Chrome chrome, String namespace, StartForm form, List<RolloutPanel> panels) {
    public RolloutsPage {
      panels = List.copyOf(panels);
    }

    public Optional<StartForm> startForm() {
      return form.equals(StartForm.EMPTY) ? Optional.empty() : Optional.of(form);
    }
  }

  /** The start form's values as text, so what was typed is shown again as typed. */
  public record StartForm(String service, String canary, String steps, String stepSeconds, String minSuccessPercent,
      String maxP99Ms, String maxP99Ratio, String minRequests, String gateBefore) {
    static final StartForm EMPTY = new StartForm("", "", "", "", "", "", "", "", "");
  }
}
