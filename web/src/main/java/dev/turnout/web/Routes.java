package dev.turnout.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The dashboard's URLs and the DOM ids that handlers and templates both name, kept in one place so a
 * template's {@code hx-post} and the handler that answers it cannot drift apart.
 */
public final class Routes {
  public static final String OVERVIEW = "/";
  public static final String SIGN_IN = "/login";
  public static final String SIGN_OUT = "/logout";
  public static final String LIVE = "/overview/live";
  public static final String DTABS = "/dtabs";
  public static final String FLEET = "/fleet";
  public static final String RECENT = "/recent";
  public static final String NAMERS = "/namers";
  public static final String NAMESPACE = "/dtabs/{ns}";
  public static final String CHECK = "/dtabs/{ns}/check";
  public static final String WEIGHT = "/dtabs/{ns}/weight";
  public static final String CANARY = "/dtabs/{ns}/canary";
  public static final String MIRRORS = "/dtabs/{ns}/mirrors";
  public static final String COMMIT = "/dtabs/{ns}/commit";
  public static final String REBASE = "/dtabs/{ns}/rebase";
  public static final String HISTORY = "/dtabs/{ns}/history";
  public static final String ROLLBACK = "/dtabs/{ns}/rollback";
  public static final String ROLLOUTS = "/dtabs/{ns}/rollouts";
  public static final String ROLLOUT = "/dtabs/{ns}/rollouts/{id}";
  public static final String ROLLOUT_ACTION = "/dtabs/{ns}/rollouts/{id}/{action}";

  /** The DOM id of every page's message area, where a refused request's notice is swapped in. */
  public static final String MESSAGES_ID = "messages";

  /** The DOM id of the editor's conflict panel. */
  public static final String CONFLICT_ID = "conflict";

  /** The name of the form field and of the header that carry the CSRF token. */
  public static final String CSRF_FIELD = "_csrf";

  public static final String CSRF_HEADER = "X-CSRF-Token";

  private Routes() {}

  /** {@code route} with its {@code {ns}} filled in, encoded for a URL. */
  public static String of(String route, String namespace) {
    return route.replace("{ns}", URLEncoder.encode(namespace, StandardCharsets.UTF_8));
  }

  public static String editor(String namespace) {
    return of(NAMESPACE, namespace);
  }

  public static String history(String namespace) {
    return of(HISTORY, namespace);
  }

  public static String rollouts(String namespace) {
    return of(ROLLOUTS, namespace);
  }

  /** The rollouts page with its start form filled in for {@code service} moving to {@code canary}. */
  public static String startRollout(String namespace, String service, String canary) {
    return rollouts(namespace) + "?service=" + URLEncoder.encode(service, StandardCharsets.UTF_8)
        + (canary.isEmpty() ? "" : "&canary=" + URLEncoder.encode(canary, StandardCharsets.UTF_8)) + "#start";
  }

  public static String rollout(String namespace, long id) {
    return rollouts(namespace) + "/" + id;
  }

  /** {@code action} is pause, resume, promote or abort. */
  public static String rolloutAction(String namespace, long id, String action) {
    return rollout(namespace, id) + "/" + action;
  }
}
