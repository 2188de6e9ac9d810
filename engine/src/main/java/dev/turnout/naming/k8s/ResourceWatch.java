package dev.turnout.naming.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One Kubernetes resource followed the way Kubernetes clients do: a list (which gives the objects and
 * a {@code resourceVersion}), then a watch from that version; a watch that drops is resumed from the
 * last version seen; a {@code 410 Gone} (the version fell out of the server's window, as an HTTP status
 * or an {@code ERROR} event) starts over with a fresh list. Failures retry with jittered exponential
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
  private final String what;
  private final String listPath;
  private final boolean single;
  private final String watchPath;
  private final Predicate<JsonNode> keep;
  private final Sink sink;

  private final Map<String, JsonNode> objects = new LinkedHashMap<>();
  private String resourceVersion;
  private int attempt;
  /** Grows with every list or watch started, so callbacks of an abandoned one are ignored. */
  private long epoch;
  private WebSocket socket;
  private volatile boolean closed;

  /**
   * @param what the resource in words, for errors ({@code endpoints default/users})
   * @param listPath the list URL; with {@code single} a GET of one object (404: none yet)
   * @param watchPath the collection URL and its selectors, {@code watch=true} and the version added
   * @param keep which listed or watched objects count (a name or label the server may not filter)
   */
  ResourceWatch(
      K8sApi api,
      ScheduledExecutorService scheduler,
      String what,
      String listPath,
      boolean single,
      String watchPath,
      Predicate<JsonNode> keep,
      Sink sink) {
    this.api = api;
    this.scheduler = scheduler;
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
    abortSocket();
  }

  private synchronized void list() {
    if (closed) {
      return;
    }
    abortSocket();
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
    resourceVersion = version;
    attempt = 0;
    sink.healthy();
    sink.changed(Map.copyOf(objects));
    openWatch();
  }

  private synchronized void openWatch() {
    if (closed) {
      return;
    }
    abortSocket();
    long mine = ++epoch;
    String path =
        watchPath
            + (watchPath.contains("?") ? "&" : "?")
            + "watch=true&allowWatchBookmarks=true"
            + (resourceVersion == null ? "" : "&resourceVersion=" + resourceVersion);
    api.watch(path, new Listener(mine))
        .whenComplete(
            (ws, err) -> {
              if (err != null) {
                watchFailed(mine, err);
              }
            });
  }

  private synchronized void watchFailed(long mine, Throwable err) {
    if (closed || mine != epoch) {
      return;
    }
    Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (c instanceof WebSocketHandshakeException h && h.getResponse().statusCode() == 410) {
      retry(this::list, null);
      return;
    }
    retry(this::openWatch, "cannot watch " + what + " at " + api.describe() + ": " + cause(err));
  }

  private synchronized void opened(long mine, WebSocket ws) {
    if (closed || mine != epoch) {
      ws.abort();
      return;
    }
    socket = ws;
    sink.healthy();
  }

  private synchronized void event(long mine, String text) {
    if (closed || mine != epoch) {
      return;
    }
    JsonNode ev;
    try {
      ev = JSON.readTree(text);
    } catch (Exception e) {
      abortSocket();
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
        abortSocket();
        if (obj.path("code").asInt() == 410) {
          retry(this::list, null);
        } else {
          retry(this::openWatch, "watching " + what + " answered an error: " + obj.path("message").asText(obj.toString()));
        }
        return;
      }
      default -> {
        abortSocket();
        retry(this::openWatch, "watching " + what + " answered an event of unknown type '" + type + "'");
        return;
      }
    }
    resourceVersion = obj.path("metadata").path("resourceVersion").asText(resourceVersion);
    attempt = 0;
    sink.changed(Map.copyOf(objects));
  }

  private synchronized void dropped(long mine, String why) {
    if (closed || mine != epoch) {
      return;
    }
    socket = null;
    if (why == null) {
      // a watch the server ended (its timeout): resume at once from the last version
      retry(this::openWatch, null);
    } else {
      retry(this::openWatch, "the watch of " + what + " dropped: " + why);
    }
  }

  /** Drops the open watch, if any; its callbacks are ignored from here on (even one abort runs now). */
  private void abortSocket() {
    epoch++;
    if (socket != null) {
      socket.abort();
      socket = null;
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

  /** A watch's frames, whole messages handed on; every callback checks the watch is still current. */
  private final class Listener implements WebSocket.Listener {
    private final long mine;
    private final StringBuilder text = new StringBuilder();
    private java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

    Listener(long mine) {
      this.mine = mine;
    }

    @Override
    public void onOpen(WebSocket ws) {
      opened(mine, ws);
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String whole = text.toString();
        text.setLength(0);
        event(mine, whole);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      bytes.writeBytes(chunk);
      if (last) {
        String whole = bytes.toString(StandardCharsets.UTF_8);
        bytes = new java.io.ByteArrayOutputStream();
        event(mine, whole);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      dropped(mine, null);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      dropped(mine, cause(error));
    }
  }
}
