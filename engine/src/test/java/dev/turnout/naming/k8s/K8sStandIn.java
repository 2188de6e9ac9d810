package dev.turnout.naming.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.turnout.testing.TestCerts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A Kubernetes API server stand-in of our own (no API server can be installed here), on a real JDK
 * HTTP server on loopback, serving the reads a Kubernetes client makes, with the server's semantics:
 *
 * <ul>
 *   <li>Endpoints, Services ({@code /api/v1}) and EndpointSlices ({@code /apis/discovery.k8s.io/v1}):
 *       GET of one object ({@code .../namespaces/NS/KIND/NAME}, 404 with a {@code Status} when absent),
 *       and of a collection with {@code labelSelector} (equality terms) and {@code
 *       fieldSelector=metadata.name=N}, carrying the collection's {@code resourceVersion};
 *   <li>watches as chunked streams of JSON events, one a line, both at the deprecated {@code
 *       /api/v1/watch/namespaces/NS/KIND[/NAME]} Linkerd 1 uses and as {@code watch=true} on a
 *       collection: from {@code resourceVersion=RV} the events after RV are replayed then followed; without
 *       one, {@code ADDED} for each matching object, then what follows; an RV older than the history kept
 *       ({@link #forgetHistory()}) is answered as a real server does, {@code 200} with an {@code ERROR}
 *       event of code 410;
 *   <li>one global, growing {@code resourceVersion}, set on every object written.
 * </ul>
 *
 * <p>It can also: drop every open watch stream ({@link #dropWatches()}), answer the next watch of a
 * URL with an {@code ERROR 410} event or an HTTP 410, stop serving EndpointSlices (a server older
 * than discovery.k8s.io/v1), answer lists with garbage, stop and start again on the same port with
 * the same objects, and serve HTTPS with a certificate of its own CA. It records every request.
 *
 * <p>What it does not prove: authorization beyond the bearer header, HTTP/2 (a real API server
 * multiplexes watches over h2 when the client offers it), the server closing a watch after its own
 * {@code timeoutSeconds}, BOOKMARK events, watch-cache quirks of a real apiserver, and real
 * Kubernetes objects beyond the fields the namer reads.
 */
public final class K8sStandIn implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String END = "\u0000end";

  /** A change, as a watch reports it; {@code before} is the object it replaced (null when added). */
  private record Event(long version, String type, String collection, ObjectNode before, ObjectNode object) {}

  /** One open watch stream: what it selects and the lines waiting to be written to it. */
  private record Watcher(String collection, Optional<String> name, Map<String, String> labels, BlockingQueue<String> lines) {}

  private final Object lock = new Object();
  /** Objects by collection path ({@code /api/v1/namespaces/prod/endpoints}) and name. */
  private final Map<String, Map<String, ObjectNode>> objects = new LinkedHashMap<>();
  private final List<Event> history = new ArrayList<>();
  private final List<Watcher> watchers = new ArrayList<>();
  private long version = 1000;
  private long forgottenBefore;

  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicReference<String> expireNextWatch = new AtomicReference<>();
  private final AtomicReference<String> goneNextWatch = new AtomicReference<>();
  private volatile boolean garbage;
  private volatile boolean slicesServed = true;
  private volatile long lastReplace;

  private final SSLContext tls;
  private final java.nio.file.Path caFile;
  private HttpServer server;
  private ExecutorService handlers;
  private final int port;

  private K8sStandIn(boolean https) {
    if (https) {
      TestCerts.Issued ca = TestCerts.ca("k8s stand-in CA");
      TestCerts.Issued leaf = TestCerts.leaf(ca, "localhost", "127.0.0.1");
      try {
        caFile = Files.createTempFile("k8s-ca", ".crt");
        caFile.toFile().deleteOnExit();
        ca.writeCert(caFile);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", leaf.keys().getPrivate(), "stand-in".toCharArray(), new Certificate[] {leaf.cert(), ca.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "stand-in".toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    } else {
      tls = null;
      caFile = null;
    }
    listen(0);
    port = server.getAddress().getPort();
  }

  public static K8sStandIn start() {
    return new K8sStandIn(false);
  }

  /** The stand-in over HTTPS, its certificate for {@code localhost} issued by {@link #certificate()}. */
  public static K8sStandIn startHttps() {
    return new K8sStandIn(true);
  }

  /** The PEM certificate of the CA that issued an HTTPS stand-in's certificate. */
  public java.nio.file.Path certificate() {
    return caFile;
  }

  public int port() {
    return port;
  }

  /** Every Authorization header received, in order. */
  public List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  /** Every request so far, {@code GET /api/v1/...?query} (the query decoded). */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** While on, every GET that is not a watch is answered 200 with an HTML page (a misrouted proxy). */
  public void answerListsWithGarbage(boolean on) {
    garbage = on;
  }

  /** Off: EndpointSlices are not served (404), as by a server without discovery.k8s.io/v1. */
  public void serveEndpointSlices(boolean on) {
    slicesServed = on;
  }

  /** {@link System#nanoTime()} when the last object was written. */
  public long lastReplaceNanos() {
    return lastReplace;
  }

  /** The next watch whose URL contains {@code pathPart} gets {@code 200}, an {@code ERROR} event with a 410 Status, and its end. */
  public void expireNextWatch(String pathPart) {
    expireNextWatch.set(pathPart);
  }

  /** The next watch whose URL contains {@code pathPart} is answered {@code 410 Gone}. */
  public void answerNextWatchGone(String pathPart) {
    goneNextWatch.set(pathPart);
  }

  /** Every version written so far falls out of the window: a watch from any of them is told 410. */
  public void forgetHistory() {
    synchronized (lock) {
      forgottenBefore = version + 1;
      history.clear();
    }
  }

  /** Ends every open watch stream cleanly (a server's watch timeout, a proxy between restarting); the server stays up. */
  public void dropWatches() {
    synchronized (lock) {
      for (Watcher w : watchers) {
        w.lines().add(END);
      }
      watchers.clear();
    }
  }

  /** Open watch streams now. */
  public int openWatches() {
    synchronized (lock) {
      return watchers.size();
    }
  }

  /** The server goes away: listening stops and open watches end. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    dropWatches();
    server.stop(0);
    handlers.shutdownNow();
    server = null;
  }

  /** The server comes back on the same port with the objects it had. */
  public synchronized void restart() {
    if (server == null) {
      listen(port);
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Creates or replaces the Endpoints object {@code ns/name}: one subset. */
  public void endpoints(
      String ns, String name, Map<String, String> labels, List<String> ready, List<String> notReady, Map<String, Integer> ports) {
    ObjectNode o = object("Endpoints", "v1", ns, name, labels);
    ObjectNode subset = o.putArray("subsets").addObject();
    ArrayNode addresses = subset.putArray("addresses");
    ready.forEach(ip -> addresses.addObject().put("ip", ip).put("nodeName", "node-" + ip));
    if (!notReady.isEmpty()) {
      ArrayNode unready = subset.putArray("notReadyAddresses");
      notReady.forEach(ip -> unready.addObject().put("ip", ip));
    }
    ArrayNode ps = subset.putArray("ports");
    ports.forEach((n, p) -> ps.addObject().put("name", n).put("port", p).put("protocol", "TCP"));
    write("/api/v1/namespaces/" + ns + "/endpoints", o);
  }

  /** Creates or replaces {@code ns/name} with one subset per port: {@code ip} at each, port name {@code portName}. */
  public void endpointsOnPorts(String ns, String name, String portName, String ip, int... ports) {
    ObjectNode o = object("Endpoints", "v1", ns, name, Map.of());
    ArrayNode subsets = o.putArray("subsets");
    for (int p : ports) {
      ObjectNode subset = subsets.addObject();
      subset.putArray("addresses").addObject().put("ip", ip);
      subset.putArray("ports").addObject().put("name", portName).put("port", p).put("protocol", "TCP");
    }
    write("/api/v1/namespaces/" + ns + "/endpoints", o);
  }

  /** The {@code resourceVersion} the Endpoints object {@code ns/name} has now. */
  public String endpointsVersion(String ns, String name) {
    synchronized (lock) {
      return objects.get("/api/v1/namespaces/" + ns + "/endpoints").get(name).path("metadata").path("resourceVersion").asText();
    }
  }

  public void deleteEndpoints(String ns, String name) {
    delete("/api/v1/namespaces/" + ns + "/endpoints", name);
  }

  /** Creates or replaces the EndpointSlice {@code ns/sliceName} of service {@code service}. */
  public void slice(
      String ns,
      String sliceName,
      String service,
      Map<String, String> labels,
      List<String> ready,
      List<String> notReady,
      Map<String, Integer> ports) {
    Map<String, String> all = new LinkedHashMap<>(labels);
    all.put(K8sNamer.SERVICE_NAME_LABEL, service);
    ObjectNode o = object("EndpointSlice", "discovery.k8s.io/v1", ns, sliceName, all);
    o.put("addressType", "IPv4");
    ArrayNode eps = o.putArray("endpoints");
    ready.forEach(ip -> endpoint(eps, ip, true));
    notReady.forEach(ip -> endpoint(eps, ip, false));
    ArrayNode ps = o.putArray("ports");
    ports.forEach((n, p) -> ps.addObject().put("name", n).put("port", p).put("protocol", "TCP"));
    write("/apis/discovery.k8s.io/v1/namespaces/" + ns + "/endpointslices", o);
  }

  private static void endpoint(ArrayNode eps, String ip, boolean ready) {
    ObjectNode e = eps.addObject();
    e.putArray("addresses").add(ip);
    e.putObject("conditions").put("ready", ready);
  }

  /** Creates or replaces the Service {@code ns/name} with one port {@code port -> target} (a number or a port name). */
  public void service(String ns, String name, int port, Object target) {
    ObjectNode o = object("Service", "v1", ns, name, Map.of());
    ObjectNode p = o.putObject("spec").putArray("ports").addObject().put("port", port).put("protocol", "TCP");
    if (target instanceof Integer n) {
      p.put("targetPort", n);
    } else {
      p.put("targetPort", target.toString());
    }
    write("/api/v1/namespaces/" + ns + "/services", o);
  }

  private static ObjectNode object(String kind, String apiVersion, String ns, String name, Map<String, String> labels) {
    ObjectNode o = JSON.createObjectNode().put("kind", kind).put("apiVersion", apiVersion);
    ObjectNode meta = o.putObject("metadata").put("name", name).put("namespace", ns);
    if (!labels.isEmpty()) {
      ObjectNode l = meta.putObject("labels");
      labels.forEach(l::put);
    }
    return o;
  }

  private void write(String collection, ObjectNode o) {
    synchronized (lock) {
      ((ObjectNode) o.get("metadata")).put("resourceVersion", Long.toString(++version));
      String name = o.path("metadata").path("name").asText();
      ObjectNode before = objects.computeIfAbsent(collection, c -> new LinkedHashMap<>()).put(name, o);
      publish(new Event(version, before == null ? "ADDED" : "MODIFIED", collection, before, o));
      lastReplace = System.nanoTime();
    }
  }

  private void delete(String collection, String name) {
    synchronized (lock) {
      ObjectNode gone = objects.getOrDefault(collection, Map.of()).remove(name);
      if (gone != null) {
        ObjectNode copy = gone.deepCopy();
        ((ObjectNode) copy.get("metadata")).put("resourceVersion", Long.toString(++version));
        publish(new Event(version, "DELETED", collection, gone, copy));
      }
    }
  }

  private void publish(Event e) {
    history.add(e);
    for (Watcher w : watchers) {
      seenBy(w, e).ifPresent(w.lines()::add);
    }
  }

  /**
   * The line a watcher gets for {@code e}, if any: as a real server filters a watch by its selectors,
   * an object that enters the selection is ADDED and one that leaves it DELETED.
   */
  private static Optional<String> seenBy(Watcher w, Event e) {
    boolean now = !e.type().equals("DELETED") && selects(w, e.collection(), e.object());
    boolean was = e.before() != null && selects(w, e.collection(), e.before());
    if (now) {
      return Optional.of(line(was ? "MODIFIED" : "ADDED", e.object()));
    }
    return was ? Optional.of(line("DELETED", e.object())) : Optional.empty();
  }

  private static boolean selects(Watcher w, String collection, JsonNode o) {
    return w.collection().equals(collection)
        && w.name().map(n -> n.equals(o.path("metadata").path("name").asText())).orElse(true)
        && labelled(o, w.labels());
  }

  private static boolean labelled(JsonNode o, Map<String, String> labels) {
    JsonNode have = o.path("metadata").path("labels");
    return labels.entrySet().stream().allMatch(l -> l.getValue().equals(have.path(l.getKey()).asText(null)));
  }

  private static String line(String type, JsonNode object) {
    ObjectNode ev = JSON.createObjectNode().put("type", type);
    ev.set("object", object);
    return ev.toString();
  }

  private void listen(int onPort) {
    try {
      InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort);
      if (tls == null) {
        server = HttpServer.create(at, 64);
      } else {
        HttpsServer https = HttpsServer.create(at, 64);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        server = https;
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on " + onPort, e);
    }
    handlers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "k8s-stand-in");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A request's place: {@code /api/v1/namespaces/NS/KIND} and maybe a name, and whether it is a watch. */
  private record Target(String collection, Optional<String> name, boolean watch) {}

  private static Optional<Target> target(String path, Map<String, String> query) {
    String[] s = path.split("/");
    // "", api, v1, [watch], namespaces, NS, KIND, [NAME]  or  "", apis, GROUP, v1, [watch], namespaces, ...
    int at = s.length > 1 && s[1].equals("apis") ? 4 : 3;
    if (s.length <= at) {
      return Optional.empty();
    }
    String prefix = String.join("/", java.util.Arrays.copyOfRange(s, 0, at));
    boolean watch = s[at].equals("watch");
    int ns = watch ? at + 1 : at;
    if (s.length < ns + 3 || s.length > ns + 4 || !s[ns].equals("namespaces")) {
      return Optional.empty();
    }
    String collection = prefix + "/namespaces/" + s[ns + 1] + "/" + s[ns + 2];
    Optional<String> name = s.length == ns + 4 ? Optional.of(s[ns + 3]) : Optional.empty();
    String field = query.getOrDefault("fieldSelector", "");
    if (field.startsWith("metadata.name=")) {
      name = Optional.of(field.substring("metadata.name=".length()));
    }
    return Optional.of(new Target(collection, name, watch || "true".equals(query.get("watch"))));
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String rawQuery = ex.getRequestURI().getRawQuery();
    Map<String, String> query = query(rawQuery);
    requests.add(ex.getRequestMethod() + " " + path + (rawQuery == null ? "" : "?" + URLDecoder.decode(rawQuery, StandardCharsets.UTF_8)));
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null) {
      authorizations.add(auth);
    }
    Optional<Target> t = target(path, query);
    if (!ex.getRequestMethod().equals("GET") || t.isEmpty() || (!slicesServed && path.startsWith("/apis/discovery.k8s.io/"))) {
      send(ex, 404, status(404, "NotFound", "the server could not find the requested resource"));
      return;
    }
    if (t.get().watch()) {
      watch(ex, t.get(), query);
      return;
    }
    if (garbage) {
      send(ex, 200, "<html>not the API server</html>");
      return;
    }
    Map<String, String> labels = labels(query.get("labelSelector"));
    synchronized (lock) {
      Map<String, ObjectNode> in = objects.getOrDefault(t.get().collection(), Map.of());
      if (t.get().name().isPresent() && path.endsWith("/" + t.get().name().get())) {
        ObjectNode o = in.get(t.get().name().get());
        if (o == null) {
          send(ex, 404, status(404, "NotFound", "\"" + t.get().name().get() + "\" not found"));
        } else {
          send(ex, 200, o.toString());
        }
        return;
      }
      ObjectNode list = JSON.createObjectNode().put("kind", "List").put("apiVersion", "v1");
      list.putObject("metadata").put("resourceVersion", Long.toString(version));
      ArrayNode items = list.putArray("items");
      for (ObjectNode o : in.values()) {
        if (t.get().name().map(n -> n.equals(o.path("metadata").path("name").asText())).orElse(true) && labelled(o, labels)) {
          items.add(o);
        }
      }
      send(ex, 200, list.toString());
    }
  }

  private void watch(HttpExchange ex, Target t, Map<String, String> query) throws IOException {
    String url = ex.getRequestURI().toString();
    String gone = goneNextWatch.get();
    if (gone != null && url.contains(gone) && goneNextWatch.compareAndSet(gone, null)) {
      send(ex, 410, status(410, "Expired", "too old resource version"));
      return;
    }
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    String expire = expireNextWatch.get();
    if (expire != null && url.contains(expire) && expireNextWatch.compareAndSet(expire, null)) {
      lines.add(expiredLine());
      lines.add(END);
    } else {
      Watcher w = new Watcher(t.collection(), t.name(), labels(query.get("labelSelector")), lines);
      synchronized (lock) {
        String rv = query.get("resourceVersion");
        if (rv == null || rv.isEmpty() || rv.equals("0")) {
          for (ObjectNode o : objects.getOrDefault(t.collection(), Map.of()).values()) {
            if (selects(w, t.collection(), o)) {
              lines.add(line("ADDED", o));
            }
          }
          watchers.add(w);
        } else if (Long.parseLong(rv) < forgottenBefore) {
          lines.add(expiredLine());
          lines.add(END);
        } else {
          long from = Long.parseLong(rv);
          for (Event e : history) {
            if (e.version() > from) {
              seenBy(w, e).ifPresent(lines::add);
            }
          }
          watchers.add(w);
        }
      }
    }
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      while (true) {
        String next = lines.take();
        if (next == END) {
          break;
        }
        out.write((next + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException clientLeft) {
      // the client closed its watch
    } finally {
      synchronized (lock) {
        watchers.removeIf(w -> w.lines() == lines);
      }
      ex.close();
    }
  }

  private static String expiredLine() {
    ObjectNode ev = JSON.createObjectNode().put("type", "ERROR");
    ev.set("object", statusNode(410, "Expired", "too old resource version"));
    return ev.toString();
  }

  private static String status(int code, String reason, String message) {
    return statusNode(code, reason, message).toString();
  }

  private static ObjectNode statusNode(int code, String reason, String message) {
    return JSON.createObjectNode()
        .put("kind", "Status")
        .put("apiVersion", "v1")
        .put("status", "Failure")
        .put("message", message)
        .put("reason", reason)
        .put("code", code);
  }

  private static Map<String, String> labels(String selector) {
    Map<String, String> out = new LinkedHashMap<>();
    if (selector != null && !selector.isBlank()) {
      for (String term : selector.split(",")) {
        String[] kv = term.split("=", 2);
        out.put(kv[0].trim(), kv.length > 1 ? kv[1].trim() : "");
      }
    }
    return out;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.put(k, v);
      }
    }
    return out;
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
    ex.close();
  }
}
