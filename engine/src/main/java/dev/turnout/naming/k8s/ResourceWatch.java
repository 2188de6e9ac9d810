package dev.turnout.naming.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One Kubernetes resource followed the way Linkerd 1 follows it: a list (which gives the objects and
 * a {@code resourceVersion}), then a watch, a GET the server answers with a chunked stream of JSON
 * events ({@code ADDED}, {@code MODIFIED}, {@code DELETED}, {@code BOOKMARK}, {@code ERROR}), one a
 * line. A collection is watched from its list's version, one named object (Linkerd's {@code
 * /api/v1/watch/namespaces/NS/endpoints/SVC}) from the object's own version, so that nothing between
 * the list and the watch is missed. An object quiet for longer than the server keeps versions gets a
 * 410 for that; after such a relist it is watched from now, as Linkerd 1 always watches an object
 * (the server then starts with the object as it is; only a deletion in the moment between that list
 * and that watch would go unseen). A stream that ends or breaks is resumed from the last version an event carried (with none yet, the
 * resource is listed again); a {@code 410 Gone} (the version fell out of the server's window, as an
 * HTTP status or an {@code ERROR} event) starts over with a fresh list. A watch that says nothing for
 * {@link #DEFAULT_IDLE} is presumed dead (a connection gone without the server's word, which would
 * otherwise leave names on old endpoints without saying stale) and resumed the same way; Kubernetes'
 * own clients ask the server to end each watch after 5-10 minutes for the same reason. Failures retry with jittered exponential
 * backoff from 10 ms to 10 s (Linkerd's). The objects known are kept through any failure and replaced
 * only by what the server answers, so a registry that is away or answers garbage empties nothing.
 *
 * <p>All of it runs on the namer's executor and the HTTP client's threads; the {@link Sink} hears each
 * change, one at a time.
 */
final class ResourceWatch implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MIN_BACKOFF_MS = 10;
  private static final long MAX_BACKOFF_MS = 10_000;
  /** How long a watch may stay silent before it is dropped and resumed. */
  static final java.time.Duration DEFAULT_IDLE = java.time.Duration.ofMinutes(10);

  /** What a watch tells its owner. Calls never overlap. */
  interface Sink {
    /** The objects now known, by name (a copy), after a list or an event. */
    void changed(Map<String, JsonNode> objects);

    /** The server cannot be read now; the last objects stand. */
    void failed(String why);

    /** The server answered again. */
    void healthy();

    /** A collection the server does not serve (404 on its list), so it is not watched. */
    default void unsupported() {}
  }

  private final K8sApi api;
  private final ScheduledExecutorService scheduler;
  private final long idleNanos;
  private final String what;
  private final String listPath;
  private final boolean single;
  private final String watchPath;
  private final Predicate<JsonNode> keep;
  private final Sink sink;

  private final Map<String, JsonNode> objects = new LinkedHashMap<>();
  private String resourceVersion;
  /** The last list followed a 410: its object's version is too old to watch from. */
  private boolean gone;
  private int attempt;
  /** Grows with every list or watch started, so callbacks of an abandoned one are ignored. */
  private long epoch;
  private K8sApi.Stream stream;
  /** {@link System#nanoTime()} when the open watch last said something (opened, or a line). */
  private long lastHeard;
  private volatile boolean closed;

  /**
   * @param what the resource in words, for errors ({@code endpoints default/users})
   * @param listPath the list URL; with {@code single} a GET of one object (404: none yet)
   * @param watchPath the watch URL and its selectors (for a collection with {@code watch=true}); the
   *     version to start from is added
   * @param keep which listed or watched objects count (a name or label the server may not filter)
   */
  ResourceWatch(
      K8sApi api,
      ScheduledExecutorService scheduler,
      java.time.Duration idle,
      String what,
      String listPath,
      boolean single,
      String watchPath,
      Predicate<JsonNode> keep,
      Sink sink) {
    this.api = api;
    this.scheduler = scheduler;
    this.idleNanos = idle.toNanos();
    this.what = what;
    this.listPath = listPath;
    this.single = single;
    this.watchPath = watchPath;
    this.keep = keep;
    this.sink = sink;
  }

  void start() {
    scheduler.execute(this::list);
  }

  @Override
  public synchronized void close() {
    closed = true;
    dropStream();
  }

  private synchronized void list() {
    if (closed) {
      return;
    }
    dropStream();
    long mine = ++epoch;
    api.get(listPath).whenComplete((resp, err) -> listed(mine, resp, err));
  }

  private synchronized void listed(long mine, HttpResponse<String> resp, Throwable err) {
    if (closed || mine != epoch) {
      return;
    }
    if (err != null) {
      retry(this::list, "cannot list " + what + " at " + api.describe() + ": " + cause(err));
      return;
    }
    int status = resp.statusCode();
    if (status == 404 && !single) {
      sink.unsupported();
      return;
    }
    Map<String, JsonNode> fresh = new LinkedHashMap<>();
    String version;
    if (status == 404) {
      version = null;
    } else if (status != 200) {
      retry(this::list, "listing " + what + " answered HTTP " + status + ": " + message(resp.body()));
      return;
    } else {
      try {
        JsonNode body = JSON.readTree(resp.body());
        if (body == null || !body.isObject()) {
          throw new IllegalArgumentException("not a JSON object");
        }
        if (single) {
          if (keep.test(body)) {
            fresh.put(name(body), body);
          }
        } else {
          JsonNode items = body.path("items");
          if (!items.isArray() && !items.isMissingNode() && !items.isNull()) {
            throw new IllegalArgumentException("items is not a list");
          }
          for (JsonNode item : items) {
            if (keep.test(item)) {
              fresh.put(name(item), item);
            }
          }
        }
        version = body.path("metadata").path("resourceVersion").asText(null);
      } catch (Exception e) {
        retry(this::list, "listing " + what + " answered something that is not a Kubernetes object: " + e.getMessage());
        return;
      }
    }
    objects.clear();
    objects.putAll(fresh);
    resourceVersion = single && gone ? null : version;
    gone = false;
    attempt = 0;
    sink.healthy();
    sink.changed(Map.copyOf(objects));
    openWatch();
  }

  private synchronized void openWatch() {
    if (closed) {
      return;
    }
    dropStream();
    long mine = ++epoch;
    StringBuilder path = new StringBuilder(watchPath);
    if (!single) {
      path.append(watchPath.contains("?") ? '&' : '?').append("allowWatchBookmarks=true");
    }
    if (resourceVersion != null) {
      path.append(path.indexOf("?") >= 0 ? '&' : '?').append("resourceVersion=").append(resourceVersion);
    }
    lastHeard = System.nanoTime();
    stream = api.watch(path.toString(), new Lines(mine));
    checkIdle(mine, idleNanos);
  }

  private void checkIdle(long mine, long afterNanos) {
    if (!closed) {
      scheduler.schedule(() -> idle(mine), afterNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Drops and resumes watch {@code mine} if it has been silent too long; otherwise looks again later. */
  private synchronized void idle(long mine) {
    if (closed || mine != epoch) {
      return;
    }
    long silent = System.nanoTime() - lastHeard;
    if (silent < idleNanos) {
      checkIdle(mine, idleNanos - silent);
      return;
    }
    dropStream();
    retry(resourceVersion == null ? this::list : this::openWatch, null);
  }

  private synchronized void opened(long mine) {
    if (closed || mine != epoch) {
      return;
    }
    lastHeard = System.nanoTime();
    sink.healthy();
  }

  private synchronized void refused(long mine, int status, String body) {
    if (closed || mine != epoch) {
      return;
    }
    stream = null;
    if (status == 410) {
      gone = true;
      retry(this::list, null);
    } else {
      retry(this::openWatch, "watching " + what + " answered HTTP " + status + ": " + message(body));
    }
  }

  private synchronized void event(long mine, String text) {
    if (closed || mine != epoch) {
      return;
    }
    lastHeard = System.nanoTime();
    JsonNode ev;
    try {
      ev = JSON.readTree(text);
      if (ev == null || !ev.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
    } catch (Exception e) {
      dropStream();
      retry(this::openWatch, "watching " + what + " answered something that is not an event: " + e.getMessage());
      return;
    }
    String type = ev.path("type").asText("");
    JsonNode obj = ev.path("object");
    switch (type) {
      case "ADDED", "MODIFIED" -> {
        if (keep.test(obj)) {
          objects.put(name(obj), obj);
        } else {
          objects.remove(name(obj));
        }
      }
      case "DELETED" -> objects.remove(name(obj));
      case "BOOKMARK" -> {
        resourceVersion = obj.path("metadata").path("resourceVersion").asText(resourceVersion);
        return;
      }
      case "ERROR" -> {
        dropStream();
        if (obj.path("code").asInt() == 410) {
          gone = true;
          retry(this::list, null);
        } else {
          retry(this::openWatch, "watching " + what + " answered an error: " + obj.path("message").asText(obj.toString()));
        }
        return;
      }
      default -> {
        dropStream();
        retry(this::openWatch, "watching " + what + " answered an event of unknown type '" + type + "'");
        return;
      }
    }
    resourceVersion = obj.path("metadata").path("resourceVersion").asText(resourceVersion);
    attempt = 0;
    sink.changed(Map.copyOf(objects));
  }

  private synchronized void ended(long mine, String why) {
    if (closed || mine != epoch) {
      return;
    }
    stream = null;
    Runnable next = resourceVersion == null ? this::list : this::openWatch;
    if (why == null) {
      // the server ended the watch (its timeout): resume at once from the last version
      retry(next, null);
    } else {
      retry(next, "the watch of " + what + " at " + api.describe() + " dropped: " + why);
    }
  }

  /** Drops the open watch, if any; its callbacks are ignored from here on (even one under way now). */
  private void dropStream() {
    epoch++;
    if (stream != null) {
      stream.close();
      stream = null;
    }
  }

  /** Runs {@code next} after the backoff; {@code why}, when given, is reported as a failure. */
  private void retry(Runnable next, String why) {
    epoch++;
    if (why != null) {
      sink.failed(why);
    }
    long cap = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(attempt, 20));
    attempt++;
    long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    if (!closed) {
      scheduler.schedule(next, delay, TimeUnit.MILLISECONDS);
    }
  }

  private static String name(JsonNode obj) {
    return obj.path("metadata").path("name").asText("");
  }

  private static String message(String body) {
    try {
      JsonNode status = JSON.readTree(body);
      if (status != null && status.hasNonNull("message")) {
        return status.get("message").asText();
      }
    } catch (Exception ignored) {
      // not a Status object; the start of the body says enough
    }
    return body == null ? "" : body.substring(0, Math.min(200, body.length()));
  }

  private static String cause(Throwable t) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getClass().getSimpleName() + ": " + c.getMessage();
  }

  /** One watch's stream, each call checked against the watch still being the current one. */
  private final class Lines implements K8sApi.Lines {
    private final long mine;

    Lines(long mine) {
      this.mine = mine;
    }

    @Override
    public void opened() {
      ResourceWatch.this.opened(mine);
    }

    @Override
    public void line(String line) {
      event(mine, line);
    }

    @Override
    public void refused(int status, String body) {
      ResourceWatch.this.refused(mine, status, body);
    }

    @Override
    public void ended(String why) {
      ResourceWatch.this.ended(mine, why);
    }
  }
}
