package dev.turnout.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.DtabDiff;
import dev.turnout.dtab.WrittenDtab;
import dev.turnout.store.DtabStore;
import dev.turnout.store.DtabText;
import dev.turnout.store.DtabVersion;
import dev.turnout.store.ETags;
import dev.turnout.store.Namespaces;
import dev.turnout.store.StoreEvent;
import dev.turnout.store.StoreException;
import dev.turnout.store.User;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dtab API's handlers: each parses its input, calls the store, renders the answer. */
final class DtabHandlers {
  private static final Logger log = LoggerFactory.getLogger(DtabHandlers.class);
  static final String COMMENT_HEADER = "X-Turnout-Comment";
  private static final int MAX_ROLLBACK_BODY = 64 * 1024;

  private final DtabStore store;
  private final ApiAuth auth;
  private final DtabWatches watches;
  /** Per namespace and type, the last version's stream line (see {@link #versionLine}). */
  private final Map<String, DtabWatches.Line> lastLines = new ConcurrentHashMap<>();

  DtabHandlers(DtabStore store, ApiAuth auth, DtabWatches watches) {
    this.store = store;
    this.auth = auth;
    this.watches = watches;
  }

  // ---- namerd's endpoints ----

  void list(Context ctx) throws Exception {
    auth.requireReader(ctx);
    if (isWatch(ctx)) {
      // The list is kept from the events themselves, so each change is seen in commit order even
      // when writes come faster than the stream is written. (A write that commits between the
      // subscription and the first read may be replayed once; the stream still ends up current.)
      TreeSet<String> names = new TreeSet<>();
      watches.stream(
          ctx,
          DtabBodies.JSON,
          event -> {
            if (event == null) {
              names.addAll(store.namespaces());
            } else if (event.kind() == StoreEvent.Kind.DELETED) {
              names.remove(event.namespace());
            } else {
              names.add(event.namespace());
            }
            String line = ApiJson.write(names);
            return Optional.of(new DtabWatches.Line(line, line));
          });
      return;
    }
    json(ctx, store.namespaces());
  }

  void get(Context ctx) throws Exception {
    auth.requireReader(ctx);
    String ns = namespace(ctx);
    String type = accepted(ctx.header("Accept"));
    if (isWatch(ctx)) {
      long[] lastVersion = {0};
      watches.stream(
          ctx,
          type,
          event -> {
            Optional<DtabVersion> v;
            if (event != null
                && event.namespace().equals(ns)
                && event.kind() == StoreEvent.Kind.DELETED
                && event.version().version() > lastVersion[0]) {
              // A deleted namespace behaves as an empty dtab (namerd): say so, so that a follower
              // stops routing by the old one; a re-created namespace continues the version numbers.
              lastVersion[0] = event.version().version();
              String empty = DtabBodies.JSON.equals(type) ? "[]" : "";
              return Optional.of(new DtabWatches.Line(Long.toString(lastVersion[0]), empty));
            }
            if (event == null) {
              v = store.current(ns);
            } else if (event.namespace().equals(ns) && event.kind() != StoreEvent.Kind.DELETED) {
              v = Optional.of(event.version());
            } else {
              v = Optional.empty();
            }
            return v.filter(x -> x.version() > lastVersion[0])
                .map(
                    x -> {
                      lastVersion[0] = x.version();
                      return versionLine(ns, type, x);
                    });
          });
      return;
    }
    DtabVersion v = store.current(ns).orElseThrow(() -> new StoreException.NotFound(ns));
    ctx.header("ETag", v.etag());
    if (DtabBodies.JSON.equals(type)) {
      json(ctx, ApiJson.dentries(v.dtab()));
    } else {
      ctx.contentType(type).result(v.text().getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The stream line of {@code v}: one line per version, the canonical text, never the multi-line
   * original. Worked out once per namespace, type and version, and the same line (one encoded array)
   * given to every stream of that namespace; only the watch thread calls it.
   */
  private DtabWatches.Line versionLine(String ns, String type, DtabVersion v) {
    String key = Long.toString(v.version());
    return lastLines.compute(
        ns + ' ' + type,
        (k, had) ->
            had != null && had.key().equals(key)
                ? had
                : new DtabWatches.Line(
                    key,
                    DtabBodies.JSON.equals(type) ? ApiJson.write(ApiJson.dentries(v.dtab())) : v.dtab().show()));
  }

  void head(Context ctx) {
    auth.requireReader(ctx);
    String ns = namespace(ctx);
    DtabVersion v = store.current(ns).orElseThrow(() -> new StoreException.NotFound(ns));
    ctx.header("ETag", v.etag()).status(200);
  }

  void create(Context ctx) {
    User user = auth.requireOperator(ctx);
    String ns = namespace(ctx);
    WrittenDtab dtab = DtabText.read(DtabBodies.dtabText(ctx, ApiJson.MAPPER));
    written(ctx, store.create(ns, dtab, user.name(), comment(ctx)));
  }

  void update(Context ctx) {
    User user = auth.requireOperator(ctx);
    String ns = namespace(ctx);
    String text = DtabBodies.dtabText(ctx, ApiJson.MAPPER);
    Optional<String> ifMatch = ifMatch(ctx, ns);
    WrittenDtab dtab = DtabText.read(text);
    written(ctx, store.update(ns, dtab, ifMatch, user.name(), comment(ctx)));
  }

  void delete(Context ctx) {
    User user = auth.requireOperator(ctx);
    String ns = namespace(ctx);
    store.delete(ns, ifMatch(ctx, ns), user.name(), comment(ctx));
    ctx.status(204);
  }

  // ---- Turnout's additions ----

  void versions(Context ctx) {
    auth.requireReader(ctx);
    String ns = namespace(ctx);
    List<DtabVersion> history = store.versions(ns);
    if (history.isEmpty()) {
      throw new StoreException.NotFound(ns);
    }
    json(ctx, history.stream().map(ApiJson::version).toList());
  }

  void rollback(Context ctx) {
    User user = auth.requireOperator(ctx);
    String ns = namespace(ctx);
    JsonNode body = rollbackBody(ctx);
    long target = versionRef(ns, body);
    JsonNode said = body.get("comment");
    String comment = said != null && said.isTextual() && !said.asText().isBlank() ? said.asText() : comment(ctx);
    DtabVersion v = store.rollback(ns, target, ifMatch(ctx, ns), user.name(), comment);
    ctx.header("ETag", v.etag());
    json(ctx, ApiJson.version(v));
  }

  void diff(Context ctx) {
    auth.requireReader(ctx);
    String ns = namespace(ctx);
    List<DtabVersion> history = store.versions(ns);
    if (history.isEmpty()) {
      throw new StoreException.NotFound(ns);
    }
    DtabVersion to =
        Optional.ofNullable(ctx.queryParam("to"))
            .map(ref -> find(ns, ref, "to"))
            .orElse(history.get(0));
    DtabVersion from =
        Optional.ofNullable(ctx.queryParam("from"))
            .map(ref -> find(ns, ref, "from"))
            .orElseGet(() -> store.version(ns, to.version() - 1).orElse(null));
    Dtab before = from == null ? Dtab.EMPTY : from.dtab();
    json(ctx, ApiJson.diff(ns, from, to, DtabDiff.between(before, to.dtab())));
  }

  // ---- input ----

  private static boolean isWatch(Context ctx) {
    return "true".equalsIgnoreCase(ctx.queryParam("watch"));
  }

  private static String namespace(Context ctx) {
    return Namespaces.check(ctx.pathParam("ns"));
  }

  /** namerd's negotiation: the first listed type it can write, else JSON. */
  static String accepted(String accept) {
    if (accept != null) {
      for (String part : accept.split(",")) {
        String type = DtabBodies.mediaType(part);
        if (type.equals(DtabBodies.JSON)
            || type.equals(DtabBodies.DTAB)
            || type.equals(DtabBodies.TEXT)) {
          return type;
        }
      }
    }
    return DtabBodies.JSON;
  }

  private static String comment(Context ctx) {
    String q = ctx.queryParam("comment");
    if (q != null && !q.isBlank()) {
      return q;
    }
    String h = ctx.header(COMMENT_HEADER);
    return h == null ? "" : headerText(h);
  }

  /**
   * A header value as the client most likely meant it. Header bytes arrive as ISO-8859-1 characters;
   * a client that sent UTF-8 (curl does, for a comment typed with accents) meant UTF-8, so bytes that
   * form valid UTF-8 are read as UTF-8, and anything else is kept as it came.
   */
  static String headerText(String raw) {
    return DtabBodies.strictUtf8(raw.getBytes(StandardCharsets.ISO_8859_1)).orElse(raw);
  }

  /**
   * {@code If-Match}, with {@code *} meaning "whatever is current, as long as it exists". A header that
   * is present but empty is a condition no version meets (412), not "no condition": a script whose ETag
   * variable came out empty must not overwrite someone else's edit.
   */
  private Optional<String> ifMatch(Context ctx, String ns) {
    String h = ctx.header("If-Match");
    if (h == null) {
      return Optional.empty();
    }
    if (h.strip().equals("*")) {
      return Optional.of(
          store.current(ns).orElseThrow(() -> new StoreException.NotFound(ns)).etag());
    }
    return Optional.of(h.strip());
  }

  private static JsonNode rollbackBody(Context ctx) {
    String text = DtabBodies.utf8(DtabBodies.read(ctx, MAX_ROLLBACK_BODY));
    try {
      JsonNode body = ApiJson.MAPPER.readTree(text);
      if (body != null && body.isObject()) {
        return body;
      }
    } catch (java.io.IOException e) {
      // answered below
    }
    throw new ApiError(400, "a rollback body is {\"version\": N} or {\"etag\": \"...\"}");
  }

  private long versionRef(String ns, JsonNode body) {
    JsonNode version = body.get("version");
    JsonNode etag = body.get("etag");
    if ((version == null) == (etag == null)) {
      throw new ApiError(400, "a rollback body names one of \"version\" or \"etag\"");
    }
    long n;
    if (version != null) {
      if (!version.canConvertToLong() || !version.isIntegralNumber()) {
        throw new ApiError(400, "\"version\" must be a whole number");
      }
      n = version.asLong();
    } else {
      n = ETags.version(etag.asText())
          .orElseThrow(() -> new ApiError(404, "no version of '" + ns + "' has ETag " + etag.asText()));
    }
    if (store.version(ns, n).isEmpty()) {
      if (store.versions(ns).isEmpty()) {
        throw new StoreException.NotFound(ns);
      }
      throw new ApiError(404, "namespace '" + ns + "' has no version " + n);
    }
    return n;
  }

  /** A version by number or ETag, from a query parameter. */
  private DtabVersion find(String ns, String ref, String param) {
    long n;
    try {
      n = Long.parseLong(ref.strip());
    } catch (NumberFormatException e) {
      n = ETags.version(ref)
          .orElseThrow(() -> new ApiError(400, "'" + param + "' must be a version number or an ETag"));
    }
    long wanted = n;
    return store.version(ns, wanted)
        .orElseThrow(() -> new ApiError(404, "namespace '" + ns + "' has no version " + wanted));
  }

  // ---- output ----

  private static void json(Context ctx, Object value) {
    ctx.contentType(DtabBodies.JSON).result(ApiJson.write(value).getBytes(StandardCharsets.UTF_8));
  }

  private static void written(Context ctx, DtabVersion v) {
    ctx.header("ETag", v.etag()).status(204);
  }

  /** Maps refusals to statuses, in one place; a refusal's body is its message as plain text. */
  static Handler guarded(Handler handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (ApiError e) {
        e.headers().forEach(ctx::header);
        refuse(ctx, e.status(), e.getMessage());
      } catch (StoreException e) {
        int status = status(e);
        if (status == 503) {
          ctx.header("Retry-After", "2");
        }
        if (status == 500) {
          log.error("store failure on {} {}", ctx.method(), ctx.path(), e);
        }
        refuse(ctx, status, status == 500 ? "store failure; see the server log" : e.getMessage());
      }
    };
  }

  static int status(StoreException e) {
    if (e instanceof StoreException.NotFound) {
      return 404;
    } else if (e instanceof StoreException.AlreadyExists) {
      return 409;
    } else if (e instanceof StoreException.Conflict) {
      return 412;
    } else if (e instanceof StoreException.Invalid) {
      return 400;
    } else if (e instanceof StoreException.Unavailable) {
      return 503;
    }
    return 500;
  }

  private static void refuse(Context ctx, int status, String message) {
    ctx.status(status)
        .contentType(DtabBodies.TEXT + "; charset=utf-8")
        .result((message + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
