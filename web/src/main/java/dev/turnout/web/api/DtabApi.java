package dev.turnout.web.api;

import dev.turnout.store.DtabStore;
import dev.turnout.store.UserStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;

/**
 * namerd's dtab API ({@code io.l5d.httpController}) and Turnout's history additions, under {@value
 * #DTABS}. namerd's paths, status codes, content types and JSON are kept so namerctl and scripts
 * written for namerd work unchanged. Mount it on a Javalin app:
 *
 * <pre>{@code
 * Javalin.create(config -> DtabApi.register(config, store, store.userStore())).start("127.0.0.1", 9990);
 * }</pre>
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>GET {@code /api/1/dtabs}</td><td>sorted namespace list; {@code ?watch=true} streams it</td></tr>
 *   <tr><td>GET, HEAD {@code /api/1/dtabs/{ns}}</td><td>dentries as JSON or, by {@code Accept}, the
 *       text as written; {@code ETag}; {@code ?watch=true} streams each new version</td></tr>
 *   <tr><td>POST, PUT, DELETE {@code /api/1/dtabs/{ns}}</td><td>create (409 if it exists), update
 *       ({@code If-Match}: 412 when stale) or upsert, delete</td></tr>
 *   <tr><td>GET {@code /api/1/dtabs/{ns}/versions}</td><td>the history, newest first</td></tr>
 *   <tr><td>POST {@code /api/1/dtabs/{ns}/rollback}</td><td>{@code {"version":N}} or {@code
 *       {"etag":"..."}}: commits that version's text again</td></tr>
 *   <tr><td>GET {@code /api/1/dtabs/{ns}/diff?from=&to=}</td><td>dentry-level diff of two versions</td></tr>
 * </table>
 *
 * <p>Reads from loopback need no login; writes need HTTP Basic credentials of an operator, whose name
 * is recorded as the author. A comment comes from the {@code comment} query parameter or the {@code
 * X-Turnout-Comment} header.
 */
public final class DtabApi {
  public static final String DTABS = "/api/1/dtabs";
  public static final String NAMESPACE = DTABS + "/{ns}";
  public static final String VERSIONS = NAMESPACE + "/versions";
  public static final String ROLLBACK = NAMESPACE + "/rollback";
  public static final String DIFF = NAMESPACE + "/diff";

  private DtabApi() {}

  /**
   * {@code handler} behind the API's rule for reads (a direct loopback caller, or any signed-in user),
   * answering refusals as the API does; for other read-only endpoints of the admin server.
   */
  public static Handler readersOnly(UserStore users, Handler handler) {
    ApiAuth auth = new ApiAuth(users);
    return DtabHandlers.guarded(
        ctx -> {
          auth.requireReader(ctx);
          handler.handle(ctx);
        });
  }

  /**
   * Adds the dtab routes to {@code config}, and ends open watch streams when the server stops. Returns
   * the watch streams, for the naming routes' watches to share (and count against the same limit).
   */
  public static DtabWatches register(JavalinConfig config, DtabStore store, UserStore users) {
    return register(config, store, users, DtabWatches.Limits.derived());
  }

  /** As above, with at most {@code maxWatchStreams} watch streams open at once. */
  public static DtabWatches register(JavalinConfig config, DtabStore store, UserStore users, int maxWatchStreams) {
    return register(config, store, users, DtabWatches.Limits.of(maxWatchStreams));
  }

  /** As above, with the watch streams' limits given. */
  public static DtabWatches register(
      JavalinConfig config, DtabStore store, UserStore users, DtabWatches.Limits limits) {
    DtabWatches watches = new DtabWatches(store, limits);
    DtabHandlers h = new DtabHandlers(store, new ApiAuth(users), watches);
    config.routes.get(DTABS, DtabHandlers.guarded(h::list));
    config.routes.get(NAMESPACE, DtabHandlers.guarded(h::get));
    config.routes.head(NAMESPACE, DtabHandlers.guarded(h::head));
    config.routes.post(NAMESPACE, DtabHandlers.guarded(h::create));
    config.routes.put(NAMESPACE, DtabHandlers.guarded(h::update));
    config.routes.delete(NAMESPACE, DtabHandlers.guarded(h::delete));
    config.routes.get(VERSIONS, DtabHandlers.guarded(h::versions));
    config.routes.post(ROLLBACK, DtabHandlers.guarded(h::rollback));
    config.routes.get(DIFF, DtabHandlers.guarded(h::diff));
    config.events.serverStopping(watches::closeAll);
    return watches;
  }
}
