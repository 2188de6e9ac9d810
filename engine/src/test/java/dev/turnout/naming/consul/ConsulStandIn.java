package dev.turnout.naming.consul;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for a Consul agent (no Consul can be installed here), on a real JDK HTTP server on
 * loopback, answering the parts of Consul's documented HTTP API the namer uses:
 *
 * <ul>
 *   <li>{@code GET /v1/catalog/service/S} and {@code /v1/health/service/S} with {@code dc}, {@code tag},
 *       {@code passing} (health: only instances whose every check passes), {@code stale}/{@code
 *       consistent} (accepted), and blocking queries: with {@code index=N} the request is held until
 *       the service's index moves past N or {@code wait} (default 5m, at most 10m) elapses, and every
 *       answer carries {@code X-Consul-Index};
 *   <li>{@code GET /v1/catalog/services} with {@code dc}: each service and the tags of its instances,
 *       blocking on the datacenter's latest index;
 *   <li>{@code GET /v1/agent/self}: {@code Config.Datacenter} and {@code Config.Domain};
 *   <li>an unknown {@code dc} is 500 {@code No path to datacenter}; with a required ACL token, a
 *       request without it in {@code X-Consul-Token} is 403 {@code ACL not found}.
 * </ul>
 *
 * <p>Indexes are per datacenter: each change there takes the next index; a service answers with the
 * index of its last change, a service never registered with the datacenter's latest (as Consul answers
 * from its services table). {@link #restoreSnapshot()} sends indexes backwards, as a restored snapshot
 * does. It also records each request's path, query and token, and can answer garbage on demand.
 */
final class ConsulStandIn implements AutoCloseable {
  /** One registered instance of a service, with its health check's status. */
  record Instance(String node, String nodeAddress, String serviceAddress, int port, List<String> tags, String status) {
    Instance {
      tags = List.copyOf(tags);
    }

    /** A passing instance at {@code 127.0.0.1:port} on node {@code node}, without tags. */
    static Instance at(String node, int port) {
      return new Instance(node, "127.0.0.1", "", port, List.of(), "passing");
    }

    Instance tagged(String... t) {
      return new Instance(node, nodeAddress, serviceAddress, port, List.of(t), status);
    }

    Instance status(String s) {
      return new Instance(node, nodeAddress, serviceAddress, port, tags, s);
    }

    Instance serviceAddress(String a) {
      return new Instance(node, nodeAddress, a, port, tags, status);
    }
  }

  /** A request as the stand-in saw it. */
  record Seen(String path, Map<String, String> query, Optional<String> token) {}

  private record Service(List<Instance> instances, long index) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Object lock = new Object();
  /** Guarded by lock: per datacenter, its services and latest index. */
  private final Map<String, Map<String, Service>> services = new HashMap<>();
  private final Map<String, Long> latest = new HashMap<>();
  private final String agentDc;
  private final javax.net.ssl.SSLContext tls;
  private volatile Optional<String> requiredToken = Optional.empty();
  private volatile boolean garbage;
  private volatile boolean unheld;
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private ExecutorService handlers;
  private int port;
  private boolean stopped;

  /** An agent in datacenter {@code agentDc}, which also knows {@code otherDcs}. */
  ConsulStandIn(String agentDc, String... otherDcs) {
    this(null, agentDc, otherDcs);
  }

  /** As above, over HTTPS with {@code tls} when it is not null. */
  ConsulStandIn(javax.net.ssl.SSLContext tls, String agentDc, String... otherDcs) {
    this.tls = tls;
    this.agentDc = agentDc;
    latest.put(agentDc, 10L);
    services.put(agentDc, new HashMap<>());
    for (String dc : otherDcs) {
      latest.put(dc, 10L);
      services.put(dc, new HashMap<>());
    }
    listen(0);
  }

  int port() {
    return port;
  }

  String host() {
    return "127.0.0.1";
  }

  void requireToken(String token) {
    requiredToken = Optional.of(token);
  }

  /** Answers every service query with a 200 that is not JSON, until told otherwise. */
  void answerGarbage(boolean on) {
    garbage = on;
  }

  /** Answers blocking queries at once, unchanged, as a proxy that strips {@code index} would. */
  void answerWithoutHolding(boolean on) {
    unheld = on;
  }

  /** Sets {@code service}'s instances in {@code dc} (none deregisters it), waking blocked queries. */
  void register(String dc, String service, Instance... instances) {
    synchronized (lock) {
      long index = latest.merge(dc, 1L, Long::sum);
      if (instances.length == 0) {
        services.get(dc).remove(service);
      } else {
        services.get(dc).put(service, new Service(List.of(instances), index));
      }
      lock.notifyAll();
    }
  }

  void deregister(String dc, String service) {
    register(dc, service);
  }

  /** Every index goes back to a low number, as after a snapshot restore; the data stays. */
  void restoreSnapshot() {
    synchronized (lock) {
      for (String dc : services.keySet()) {
        latest.put(dc, 2L);
        services.get(dc).replaceAll((name, s) -> new Service(s.instances(), 2L));
      }
      lock.notifyAll();
    }
  }

  /** The service queries seen so far that blocked on an index. */
  long blockingQueries() {
    return seen.stream().filter(s -> s.path().contains("/service/") && s.query().containsKey("index")).count();
  }

  /** The queries seen so far for one service's instances. */
  List<Seen> serviceQueries() {
    return seen.stream().filter(s -> s.path().contains("/service/")).toList();
  }

  /** Stops listening and drops every open connection (blocked queries included). */
  void stop() {
    synchronized (lock) {
      stopped = true;
      lock.notifyAll();
    }
    server.stop(0);
    handlers.shutdownNow();
  }

  /** Listens again on the same port. */
  void restart() {
    synchronized (lock) {
      stopped = false;
    }
    listen(port);
  }

  @Override
  public void close() {
    stop();
  }

  private void listen(int onPort) {
    try {
      InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort);
      if (tls == null) {
        server = HttpServer.create(at, 64);
      } else {
        com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(at, 64);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
        server = https;
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on " + onPort, e);
    }
    handlers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "consul-stand-in");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
    port = server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      Optional<String> token = Optional.ofNullable(ex.getRequestHeaders().getFirst("X-Consul-Token"));
      seen.add(new Seen(path, query, token));
      if (requiredToken.isPresent() && !requiredToken.equals(token)) {
        send(ex, 403, "ACL not found", -1);
        return;
      }
      if (path.equals("/v1/agent/self")) {
        ObjectNode self = JSON.createObjectNode();
        self.putObject("Config").put("Datacenter", agentDc).put("Domain", "consul.").put("NodeName", "agent-1");
        self.putObject("Member").put("Name", "agent-1").put("Addr", "127.0.0.1");
        send(ex, 200, JSON.writeValueAsString(self), -1);
        return;
      }
      if (path.equals("/v1/catalog/services")) {
        services(ex, query);
        return;
      }
      boolean health = path.startsWith("/v1/health/service/");
      if (!health && !path.startsWith("/v1/catalog/service/")) {
        send(ex, 404, "Unsupported path " + path, -1);
        return;
      }
      String name = URLDecoder.decode(path.substring(path.indexOf("/service/") + 9), StandardCharsets.UTF_8);
      String dc = query.getOrDefault("dc", agentDc);
      long after = unheld ? 0 : Long.parseLong(query.getOrDefault("index", "0"));
      Duration wait = wait(query.get("wait"));
      List<Instance> instances;
      long index;
      synchronized (lock) {
        if (!services.containsKey(dc)) {
          send(ex, 500, "No path to datacenter", -1);
          return;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (after > 0 && indexOf(dc, name) <= after && !stopped) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          lock.wait(Math.max(1, left / 1_000_000));
        }
        if (stopped) {
          return;
        }
        Service s = services.get(dc).get(name);
        instances = s == null ? List.of() : s.instances();
        index = indexOf(dc, name);
      }
      if (garbage) {
        send(ex, 200, "<html>the agent is confused</html>", index);
        return;
      }
      String tag = query.get("tag");
      boolean passingOnly = health && "true".equals(query.get("passing"));
      ArrayNode out = JSON.createArrayNode();
      for (Instance i : instances) {
        if ((tag != null && !i.tags().contains(tag)) || (passingOnly && !i.status().equals("passing"))) {
          continue;
        }
        out.add(health ? healthEntry(dc, name, i) : catalogEntry(dc, name, i));
      }
      send(ex, 200, JSON.writeValueAsString(out), index);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code /v1/catalog/services}: every service of the datacenter and its tags, blocking on the latest index. */
  private void services(HttpExchange ex, Map<String, String> query) throws IOException, InterruptedException {
    String dc = query.getOrDefault("dc", agentDc);
    long after = unheld ? 0 : Long.parseLong(query.getOrDefault("index", "0"));
    Duration wait = wait(query.get("wait"));
    ObjectNode out = JSON.createObjectNode();
    long index;
    synchronized (lock) {
      if (!services.containsKey(dc)) {
        send(ex, 500, "No path to datacenter", -1);
        return;
      }
      long deadline = System.nanoTime() + wait.toNanos();
      while (after > 0 && latest.get(dc) <= after && !stopped) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      if (stopped) {
        return;
      }
      out.putArray("consul");
      for (Map.Entry<String, Service> e : services.get(dc).entrySet()) {
        ArrayNode tags = out.putArray(e.getKey());
        e.getValue().instances().stream().flatMap(i -> i.tags().stream()).distinct().forEach(tags::add);
      }
      index = latest.get(dc);
    }
    send(ex, 200, garbage ? "<html>the agent is confused</html>" : JSON.writeValueAsString(out), index);
  }

  private long indexOf(String dc, String service) {
    Service s = services.get(dc).get(service);
    return s == null ? latest.get(dc) : s.index();
  }

  private static ObjectNode catalogEntry(String dc, String name, Instance i) {
    ObjectNode n = JSON.createObjectNode();
    n.put("ID", "id-" + i.node()).put("Node", i.node()).put("Address", i.nodeAddress()).put("Datacenter", dc);
    n.put("ServiceID", name + "-" + i.node()).put("ServiceName", name).put("ServiceAddress", i.serviceAddress());
    n.put("ServicePort", i.port());
    ArrayNode tags = n.putArray("ServiceTags");
    i.tags().forEach(tags::add);
    n.putObject("ServiceMeta");
    return n;
  }

  private static ObjectNode healthEntry(String dc, String name, Instance i) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("Node").put("Node", i.node()).put("Address", i.nodeAddress()).put("Datacenter", dc);
    ObjectNode s = n.putObject("Service");
    s.put("ID", name + "-" + i.node()).put("Service", name).put("Address", i.serviceAddress()).put("Port", i.port());
    ArrayNode tags = s.putArray("Tags");
    i.tags().forEach(tags::add);
    ArrayNode checks = n.putArray("Checks");
    checks.addObject().put("CheckID", "serfHealth").put("Status", "passing");
    checks.addObject().put("CheckID", "service:" + name).put("Status", i.status());
    return n;
  }

  private static Duration wait(String text) {
    if (text == null) {
      return Duration.ofMinutes(5);
    }
    Duration d;
    if (text.endsWith("ms")) {
      d = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
    } else if (text.endsWith("s")) {
      d = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
    } else if (text.endsWith("m")) {
      d = Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
    } else {
      d = Duration.ofSeconds(Long.parseLong(text));
    }
    return d.compareTo(Duration.ofMinutes(10)) > 0 ? Duration.ofMinutes(10) : d;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  private static void send(HttpExchange ex, int status, String body, long index) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", body.startsWith("[") || body.startsWith("{") ? "application/json" : "text/plain");
    if (index >= 0) {
      ex.getResponseHeaders().set("X-Consul-Index", Long.toString(index));
      ex.getResponseHeaders().set("X-Consul-KnownLeader", "true");
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Every query's path and parameters, for assertions. */
  List<Seen> seen() {
    return new ArrayList<>(seen);
  }
}
