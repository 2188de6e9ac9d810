package dev.turnout.naming.k8s;

import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Kubernetes API server stand-in: fabric8's kubernetes-server-mock in CRUD mode (objects kept,
 * lists and WebSocket watches answered from them) on loopback, seeded through fabric8's client. It
 * can stop and start again on the same port with the same objects (a server going away and coming
 * back), and answer the next watch with the {@code ERROR 410 Gone} event a real server sends when a
 * resourceVersion has expired. It records every request line, to see how a client listed and watched.
 */
public final class K8sStandIn implements AutoCloseable {
  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  private final java.util.concurrent.atomic.AtomicReference<String> expireNextWatch = new java.util.concurrent.atomic.AtomicReference<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final Dispatcher dispatcher =
      new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          requests.add(request.getMethod() + " " + request.getPath());
          String auth = request.getHeader("Authorization");
          if (auth != null) {
            authorizations.add(auth);
          }
          if (garbage && request.getMethod().equals("GET") && !request.getPath().contains("watch=true")) {
            return new MockResponse().setResponseCode(200).setBody("<html>not the API server</html>");
          }
          if (request.getMethod().equals("PUT")) {
            lastReplace = System.nanoTime();
          }
          String expire = expireNextWatch.get();
          if (expire != null && request.getPath().contains("watch=true") && request.getPath().contains(expire)
              && expireNextWatch.compareAndSet(expire, null)) {
            return new MockResponse().withWebSocketUpgrade(new Expired());
          }
          return crud.dispatch(request);
        }
      };
  private volatile long lastReplace;
  private volatile boolean garbage;
  private KubernetesMockServer server;
  private final int port;
  private NamespacedKubernetesClient client;

  private final boolean https;

  private K8sStandIn(int port, boolean https) {
    this.https = https;
    this.server = open(port);
    this.port = server.getPort();
    this.client = server.createClient();
    // The mock learns a kind's plural from the first object of it: seed one of each in a namespace no
    // test reads, so watches opened before a test's own objects exist still match them.
    endpoints("kube-system", "seed", Map.of(), List.of("10.0.0.1"), List.of(), Map.of("http", 80));
    slice("kube-system", "seed-1", "seed", Map.of(), List.of("10.0.0.1"), List.of(), Map.of("http", 80));
    service("kube-system", "seed", 80, new IntOrString("http"));
  }

  public static K8sStandIn start() {
    return new K8sStandIn(0, false);
  }

  /** The stand-in over HTTPS with a self-signed certificate for {@code localhost} ({@link #certificate()}). */
  public static K8sStandIn startHttps() {
    return new K8sStandIn(0, true);
  }

  /** The PEM certificate an HTTPS stand-in serves, to trust as the cluster's CA. */
  public java.nio.file.Path certificate() {
    return java.nio.file.Path.of(server.getSelfSignedCertificate().certificatePath());
  }

  /** Every Authorization header received, in order. */
  public List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  private KubernetesMockServer open(int onPort) {
    KubernetesMockServer s = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, https);
    s.init(InetAddress.getLoopbackAddress(), onPort);
    return s;
  }

  public int port() {
    return port;
  }

  /** Every request so far, {@code GET /api/v1/...}. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** While on, every list is answered 200 with an HTML page instead of JSON (a misrouted proxy). */
  public void answerListsWithGarbage(boolean on) {
    garbage = on;
  }

  /** {@link System#nanoTime()} when the last PUT (an object replaced) reached the server. */
  public long lastReplaceNanos() {
    return lastReplace;
  }

  /** The next watch whose URL contains {@code pathPart} gets {@code ERROR} with a 410 Status, then nothing. */
  public void expireNextWatch(String pathPart) {
    expireNextWatch.set(pathPart);
  }

  /** The server goes away: listening stops and open watches close. */
  public void stop() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException slowClose) {
      // Vert.x took over its 10 s to finish closing (a loaded machine); the listener is closed by then
    }
  }

  /** The server comes back on the same port with the objects it had. */
  public void restart() {
    server = open(port);
    client = server.createClient();
  }

  /** Creates or replaces the Endpoints object {@code ns/name}: one subset. */
  public void endpoints(
      String ns, String name, Map<String, String> labels, List<String> ready, List<String> notReady, Map<String, Integer> ports) {
    var subset = new EndpointSubsetBuilder();
    ready.forEach(ip -> subset.addToAddresses(new EndpointAddressBuilder().withIp(ip).withNodeName("node-" + ip).build()));
    notReady.forEach(ip -> subset.addToNotReadyAddresses(new EndpointAddressBuilder().withIp(ip).build()));
    ports.forEach((n, p) -> subset.addToPorts(new EndpointPortBuilder().withName(n).withPort(p).withProtocol("TCP").build()));
    Endpoints e =
        new EndpointsBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withLabels(labels)
            .endMetadata()
            .withSubsets(subset.build())
            .build();
    client.endpoints().inNamespace(ns).resource(e).createOr(NonDeletingOperation::update);
  }

  /** Creates or replaces {@code ns/name} with one subset per port: {@code ip} at each, port name {@code portName}. */
  public void endpointsOnPorts(String ns, String name, String portName, String ip, int... ports) {
    var b = new EndpointsBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata();
    for (int p : ports) {
      b.addToSubsets(
          new EndpointSubsetBuilder()
              .addToAddresses(new EndpointAddressBuilder().withIp(ip).build())
              .addToPorts(new EndpointPortBuilder().withName(portName).withPort(p).withProtocol("TCP").build())
              .build());
    }
    client.endpoints().inNamespace(ns).resource(b.build()).createOr(NonDeletingOperation::update);
  }

  public void deleteEndpoints(String ns, String name) {
    client.endpoints().inNamespace(ns).withName(name).delete();
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
    Map<String, String> all = new HashMap<>(labels);
    all.put(K8sNamer.SERVICE_NAME_LABEL, service);
    var b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withName(sliceName)
            .withNamespace(ns)
            .withLabels(all)
            .endMetadata()
            .withAddressType("IPv4");
    List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> eps = new ArrayList<>();
    ready.forEach(ip -> eps.add(new EndpointBuilder().withAddresses(ip).withNewConditions().withReady(true).endConditions().build()));
    notReady.forEach(ip -> eps.add(new EndpointBuilder().withAddresses(ip).withNewConditions().withReady(false).endConditions().build()));
    b.withEndpoints(eps);
    ports.forEach(
        (n, p) -> b.addToPorts(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder().withName(n).withPort(p).withProtocol("TCP").build()));
    EndpointSlice s = b.build();
    client.discovery().v1().endpointSlices().inNamespace(ns).resource(s).createOr(NonDeletingOperation::update);
  }

  /** Creates or replaces the Service {@code ns/name} with one port {@code port -> target}. */
  public void service(String ns, String name, int port, IntOrString target) {
    Service s =
        new ServiceBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withPorts(new ServicePortBuilder().withPort(port).withTargetPort(target).withProtocol("TCP").build())
            .endSpec()
            .build();
    client.services().inNamespace(ns).resource(s).createOr(NonDeletingOperation::update);
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      server.destroy();
    }
  }

  /** A watch the server ends at once, as it does when the requested resourceVersion is too old. */
  private static final class Expired extends WebSocketListener {
    @Override
    public void onOpen(WebSocket ws, Response response) {
      ws.send(
          "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
              + "\"message\":\"too old resource version\",\"reason\":\"Expired\",\"code\":410}}");
    }
  }
}
