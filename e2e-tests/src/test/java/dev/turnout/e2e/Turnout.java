package dev.turnout.e2e;

import dev.turnout.testing.Backend;
import dev.turnout.testing.TestCerts;
import dev.turnout.app.TurnoutServer;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.Role;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real Turnout, started in-process as {@code java -jar turnout.jar} would start it, on free ports,
 * with a temporary data directory and real backends: {@code users} (two versions) and {@code web},
 * each an {@code io.l5d.fs} file. Before start the data directory is seeded with the {@code default}
 * namespace, which the router follows, and two users: an operator and a viewer.
 */
final class Turnout implements AutoCloseable {
  static final String OPERATOR = "admin";
  static final String VIEWER = "watcher";
  static final String PASSWORD = "correct horse battery";
  static final String NAMESPACE = "default";
  static final String DTAB =
      "# e2e routes\n/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users;\n";

  private static final Pattern LISTENING =
      Pattern.compile("turnout: (proxy|admin) listening on ([0-9.]+):(\\d+)");

  final Backend users = Backend.named("users");
  final Backend usersV2 = Backend.named("users-v2");
  final Backend web = Backend.named("web");
  /** A canary that answers every request 500, for rollouts that must roll back. */
  final Backend usersBroken = Backend.start("users-broken", ex -> Backend.respond(ex, 500, "users-broken fails"));
  private final HttpClient http;
  private final TurnoutServer server;
  private final int proxyPort;
  private final int adminPort;
  private final Path config;
  private final Path data;
  private final java.util.List<TurnoutServer> fleet = new java.util.ArrayList<>();
  /** With {@code admin.tls}: the CA of the admin port's certificate; null over plain HTTP. */
  private final TestCerts.Issued adminCa;

  private Turnout(Path dir, boolean https) throws IOException {
    String adminTls = "";
    if (https) {
      adminCa = TestCerts.ca("e2e admin CA");
      TestCerts.Issued leaf = TestCerts.leaf(adminCa, "localhost", "127.0.0.1");
      adminTls = ", tls: {certPath: " + leaf.writeCert(dir.resolve("admin.pem")).toAbsolutePath()
          + ", keyPath: " + leaf.writeKey(dir.resolve("admin.key")).toAbsolutePath() + "}";
      http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(trusting(adminCa)).build();
    } else {
      adminCa = null;
      http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }
    Path disco = Files.createDirectories(dir.resolve("disco"));
    Files.writeString(disco.resolve("users"), "127.0.0.1 " + users.port() + "\n");
    Files.writeString(disco.resolve("users-v2"), "127.0.0.1 " + usersV2.port() + "\n");
    Files.writeString(disco.resolve("web"), "127.0.0.1 " + web.port() + "\n");
    Files.writeString(disco.resolve("users-broken"), "127.0.0.1 " + usersBroken.port() + "\n");
    Path data = dir.resolve("data");
    try (JdbcDtabStore store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(data)).passwordIterations(1000).open()) {
      store.userStore().put(OPERATOR, Role.OPERATOR, PASSWORD.toCharArray());
      store.userStore().put(VIEWER, Role.VIEWER, PASSWORD.toCharArray());
      store.create(NAMESPACE, DTAB, "e2e", "seed");
    }
    this.data = data;
    this.config = dir.resolve("turnout.yml");
    Files.writeString(
        config,
        "admin: {ip: 127.0.0.1, port: 0" + adminTls + "}\n"
            + "namers:\n"
            + "- kind: io.l5d.fs\n"
            + "  rootDir: " + disco.toAbsolutePath() + "\n"
            + "routers:\n"
            + "- protocol: http\n"
            + "  label: web\n"
            + "  identifier: {kind: io.l5d.header.token, header: Host}\n"
            + "  interpreter: {kind: io.l5d.namerd, namespace: " + NAMESPACE + "}\n"
            + "  servers: [{ip: 127.0.0.1, port: 0}]\n"
            + "telemetry:\n"
            + "- {kind: io.l5d.recentRequests, sampleRate: 1.0, capacity: 20}\n"
            + "storage: {kind: h2, path: " + data.toAbsolutePath() + "}\n");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    server =
        TurnoutServer.start(
            new TurnoutServer.Options(config, data, 0, 0, false),
            new PrintStream(printed, true, StandardCharsets.UTF_8));
    String lines = printed.toString(StandardCharsets.UTF_8);
    proxyPort = port(lines, "proxy");
    adminPort = port(lines, "admin");
  }

  static Turnout start(Path dir) {
    return start(dir, false);
  }

  /** As {@link #start(Path)}; with {@code https}, the admin port serves HTTPS with a test CA's certificate. */
  static Turnout start(Path dir, boolean https) {
    try {
      return new Turnout(dir, https);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String admin() {
    return (adminCa == null ? "http://" : "https://") + "127.0.0.1:" + adminPort;
  }

  /**
   * Starts another control plane on the same config and database, as a fleet's next member would run;
   * the address of its admin server. It stops with this one.
   */
  String anotherControlPlane() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    TurnoutServer other =
        TurnoutServer.start(
            new TurnoutServer.Options(config, data, 0, 0, false),
            new PrintStream(printed, true, StandardCharsets.UTF_8));
    fleet.add(other);
    return (adminCa == null ? "http://" : "https://") + "127.0.0.1:" + port(printed.toString(StandardCharsets.UTF_8), "admin");
  }

  /** Sends one request for service {@code host} through the proxy; its status. */
  int request(String host) {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/"))
            .header("Host", host)
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends {@code n} requests for {@code host}; the share of them that reached {@code backend}, in %. */
  double percentTo(Backend backend, String host, int n) {
    long before = backend.served();
    for (int i = 0; i < n; i++) {
      request(host);
    }
    return 100.0 * (backend.served() - before) / n;
  }

  /** The namespace's current ETag, from the namerd API. */
  String etag() {
    return api(HttpRequest.newBuilder(URI.create(admin() + "/api/1/dtabs/" + NAMESPACE)).GET())
        .headers()
        .firstValue("ETag")
        .orElseThrow();
  }

  /** Replaces the namespace's dtab through the namerd API, as another operator's script would. */
  HttpResponse<String> putDtab(String text, Optional<String> ifMatch) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(admin() + "/api/1/dtabs/" + NAMESPACE))
            .header("Content-Type", "application/dtab")
            .header("X-Turnout-Comment", "scripted change")
            .PUT(HttpRequest.BodyPublishers.ofString(text));
    ifMatch.ifPresent(e -> b.header("If-Match", e));
    return api(b);
  }

  private HttpResponse<String> api(HttpRequest.Builder b) {
    String basic =
        Base64.getEncoder().encodeToString((OPERATOR + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    try {
      return http.send(
          b.header("Authorization", "Basic " + basic).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A client TLS context that trusts {@code ca} alone. */
  private static javax.net.ssl.SSLContext trusting(TestCerts.Issued ca) {
    try {
      java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", ca.cert());
      javax.net.ssl.TrustManagerFactory trust =
          javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int port(String printed, String what) {
    Matcher m = LISTENING.matcher(printed);
    while (m.find()) {
      if (m.group(1).equals(what)) {
        return Integer.parseInt(m.group(3));
      }
    }
    throw new IllegalStateException("Turnout did not print its " + what + " port; it printed:\n" + printed);
  }

  @Override
  public void close() {
    fleet.forEach(TurnoutServer::close);
    server.close();
    users.close();
    usersV2.close();
    web.close();
    usersBroken.close();
  }
}
