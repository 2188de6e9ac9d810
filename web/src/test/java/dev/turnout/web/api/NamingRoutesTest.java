package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.dtab.Dtab;
import dev.turnout.naming.FsNamer;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.Transformer;
import dev.turnout.naming.TransformerChain;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamingRoutesTest {
  private static final String ADDR_8080 =
      "{\"type\":\"bound\",\"addrs\":[{\"ip\":\"127.0.0.1\",\"port\":8080,\"meta\":{}}],\"meta\":{}}";

  @TempDir Path disco;
  private FsNamer fs;
  private Javalin app;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws IOException {
    Files.writeString(disco.resolve("users"), "127.0.0.1 8080\n");
    Files.writeString(disco.resolve("users-v2"), "127.0.0.1 8082\n");
    fs = new FsNamer(disco);
    Interpreter interpreter = new Interpreter(List.of(new Interpreter.Mount(FsNamer.DEFAULT_PREFIX, fs)));
    Map<String, Dtab> namespaces =
        Map.of("default", Dtab.read("/svc => /#/io.l5d.fs"), "mesh", Dtab.read("/svc => /#/io.l5d.fs"));
    TransformerChain outgoing =
        new TransformerChain(List.of(Transformer.port(dev.turnout.dtab.Path.read("/%/io.l5d.port/4141"), 4141)));
    app =
        Javalin.create(config -> {
                  DtabWatches watches = new DtabWatches(listener -> () -> {}, DtabWatches.HEARTBEAT);
                  NamingRoutes.register(
                      config,
                      ns -> Optional.ofNullable(namespaces.get(ns)),
                      ns -> ns.equals("mesh") ? outgoing : TransformerChain.NONE,
                      interpreter,
                      new NoUsers(),
                      watches);
                  config.events.serverStopping(watches::closeAll);
                })
            .start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    streams.forEach(r -> r.body().close());
    app.stop();
    fs.close();
  }

  private HttpResponse<String> get(String path, String... params) throws IOException, InterruptedException {
    StringBuilder uri = new StringBuilder("http://127.0.0.1:" + app.port() + path);
    for (int i = 0; i < params.length; i += 2) {
      uri.append(i == 0 ? '?' : '&')
          .append(params[i])
          .append('=')
          .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
    }
    HttpRequest req = HttpRequest.newBuilder(URI.create(uri.toString())).timeout(Duration.ofSeconds(10)).build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }

  /** The first lines of a watch stream, read on another thread as they come. */
  private java.util.concurrent.BlockingQueue<String> watch(String path, String... params) throws Exception {
    StringBuilder uri = new StringBuilder("http://127.0.0.1:" + app.port() + path + "?watch=true");
    for (int i = 0; i < params.length; i += 2) {
      uri.append('&').append(params[i]).append('=').append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
    }
    HttpResponse<java.util.stream.Stream<String>> r =
        http.sendAsync(HttpRequest.newBuilder(URI.create(uri.toString())).build(), HttpResponse.BodyHandlers.ofLines())
            .get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                r.body().forEach(lines::add);
              } catch (java.io.UncheckedIOException closed) {
                // the server stopped
              }
            },
            "watch-reader");
    reader.setDaemon(true);
    reader.start();
    streams.add(r);
    return lines;
  }

  private final List<HttpResponse<java.util.stream.Stream<String>>> streams = new java.util.ArrayList<>();

  /** Replaces a namer file in one step, so the namer never reads it half written. */
  private void replace(String name, String content) throws IOException {
    Path next = disco.resolve("." + name + ".next");
    Files.writeString(next, content);
    Files.move(next, disco.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aWatchedBindStreamsTheTreeAgainWhenTheNamersEndpointsChange() throws Exception {
    java.util.concurrent.BlockingQueue<String> lines = watch("/api/1/bind/default", "path", "/svc/users");
    assertThat(lines.poll(10, java.util.concurrent.TimeUnit.SECONDS)).contains("\"port\":8080");

    replace("users", "127.0.0.1 9090\n");

    assertThat(lines.poll(10, java.util.concurrent.TimeUnit.SECONDS)).as("a new line within 10 s").contains("\"port\":9090");
    assertThat(lines.poll(1500, java.util.concurrent.TimeUnit.MILLISECONDS)).as("an unchanged tree is not sent again").isNull();
  }

  @Test
  void aWatchedBindThatFailsFromTheStartIs400AsWithoutWatch() throws Exception {
    HttpResponse<String> r = get("/api/1/bind/default", "path", "/svc/users", "dtab", "/svc => /svc", "watch", "true");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).startsWith("Binding failed: ");
  }

  @Test
  void aWatcherThatGoesAwayWhileNothingChangesGivesItsPlaceBack() throws Exception {
    DtabWatches watches = new DtabWatches(listener -> () -> {}, Duration.ofMillis(200));
    Javalin quiet =
        Javalin.create(config -> {
                  NamingRoutes.register(config, ns -> Optional.empty(), new Interpreter(List.of()), new NoUsers(), watches);
                  config.events.serverStopping(watches::closeAll);
                })
            .start("127.0.0.1", 0);
    try {
      URI uri = URI.create("http://127.0.0.1:" + quiet.port() + "/api/1/bind/default?path=/svc/users&watch=true");
      HttpResponse<java.io.InputStream> r =
          http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream())
              .get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(new String(r.body().readNBytes(14), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"neg\"}");
      assertThat(watches.open()).isEqualTo(1);

      r.body().close(); // the watcher leaves; the tree never changes, so no line is ever due

      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (watches.open() > 0 && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
      }
      assertThat(watches.open()).as("the blank-line heartbeat found the watcher gone").isZero();
    } finally {
      quiet.stop();
    }
  }

  @Test
  void aWatchedAddrStreamsEachNewSetOfEndpoints() throws Exception {
    java.util.concurrent.BlockingQueue<String> lines = watch("/api/1/addr/default", "path", "/#/io.l5d.fs/users");
    assertThat(lines.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(ADDR_8080);

    replace("users", "127.0.0.1 8080\n127.0.0.1 8081\n");

    assertThat(lines.poll(10, java.util.concurrent.TimeUnit.SECONDS)).contains("8080").contains("8081");
  }

  @Test
  void delegateShowsTheTransformationsOfTheRouterFollowingTheNamespace() throws Exception {
    HttpResponse<String> r = get("/api/1/delegate/mesh", "path", "/svc/users");

    JsonNode tree = new ObjectMapper().readTree(r.body()).get("delegate");
    assertThat(tree.get("type").asText()).isEqualTo("transformation");
    assertThat(tree.get("name").asText()).isEqualTo("io.l5d.port");
    assertThat(tree.get("bound").get("id").asText()).isEqualTo("/#/io.l5d.fs/users");
    assertThat(tree.get("tree").get("bound").get("id").asText()).isEqualTo("/%/io.l5d.port/4141/#/io.l5d.fs/users");
    assertThat(tree.get("tree").get("bound").get("addr").get("addrs").get(0).get("port").asInt()).isEqualTo(4141);
  }

  @Test
  void bindStaysUntransformedAsNamerdsDoesForTheLinkerdThatTransforms() throws Exception {
    HttpResponse<String> r = get("/api/1/bind/mesh", "path", "/svc/users");

    assertThat(new ObjectMapper().readTree(r.body()).get("bound").get("id").asText()).isEqualTo("/#/io.l5d.fs/users");
  }

  @Test
  void bindAnswersNamerdsLeafJson() throws Exception {
    HttpResponse<String> r = get("/api/1/bind/default", "path", "/svc/users/api");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(r.body())
        .isEqualTo("{\"type\":\"leaf\",\"bound\":{\"addr\":" + ADDR_8080 + ",\"id\":\"/#/io.l5d.fs/users\",\"path\":\"/api\"}}");
  }

  @Test
  void theDtabParameterOverridesForThatCallOnly() throws Exception {
    HttpResponse<String> overridden =
        get("/api/1/bind/default", "path", "/svc/users", "dtab", "/svc/users => /#/io.l5d.fs/users-v2");
    HttpResponse<String> plain = get("/api/1/bind/default", "path", "/svc/users");

    assertThat(overridden.body()).contains("\"id\":\"/#/io.l5d.fs/users-v2\"");
    assertThat(plain.body()).contains("\"id\":\"/#/io.l5d.fs/users\"");
  }

  @Test
  void aNamespaceThatDoesNotExistBindsAsAnEmptyDtab() throws Exception {
    HttpResponse<String> r = get("/api/1/bind/nosuch", "path", "/svc/users");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"type\":\"neg\"}");
  }

  @Test
  void aBadPathIs400WithTheParserMessage() throws Exception {
    HttpResponse<String> r = get("/api/1/bind/default", "path", "svc");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("Invalid path: '/' expected but 's' found at '[s]vc'");
  }

  @Test
  void aMissingPathIs400() throws Exception {
    assertThat(get("/api/1/resolve/default").statusCode()).isEqualTo(400);
  }

  @Test
  void aBadDtabIs400WithTheParserMessage() throws Exception {
    HttpResponse<String> r = get("/api/1/delegate/default", "path", "/svc/users", "dtab", "/a -> /b");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("Invalid dtab: '=' expected but '-' found at '/a [-]> /b'");
  }

  @Test
  void aLoopingBindingIs400SayingWhy() throws Exception {
    HttpResponse<String> r = get("/api/1/bind/default", "path", "/users", "dtab", "/ => /#/io.l5d.fs");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("Binding failed: Max recursion level: 100 reached in Namer lookup");
  }

  @Test
  void delegateShowsTheNamespacesDentry() throws Exception {
    HttpResponse<String> r = get("/api/1/delegate/default", "path", "/svc/users");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"type\":\"delegate\",\"path\":\"/svc/users\",\"delegate\":{\"type\":\"leaf\",\"path\":"
                + "\"/#/io.l5d.fs/users\",\"dentry\":{\"prefix\":\"/svc\",\"dst\":\"/#/io.l5d.fs\"},"
                + "\"bound\":{\"addr\":"
                + ADDR_8080
                + ",\"id\":\"/#/io.l5d.fs/users\",\"path\":\"/\"}}}");
  }

  @Test
  void delegateWithoutANamespaceUsesOnlyTheGivenDtab() throws Exception {
    HttpResponse<String> bare = get("/api/1/delegate", "path", "/svc/users");
    HttpResponse<String> given = get("/api/1/delegate", "path", "/svc/users", "dtab", "/svc => /#/io.l5d.fs");

    assertThat(bare.body()).isEqualTo("{\"type\":\"neg\",\"path\":\"/svc/users\"}");
    assertThat(given.body()).contains("\"id\":\"/#/io.l5d.fs/users\"");
  }

  @Test
  void resolveGivesTheEndpointsOfALogicalName() throws Exception {
    HttpResponse<String> r = get("/api/1/resolve/default", "path", "/svc/users");

    assertThat(r.body()).isEqualTo(ADDR_8080);
    assertThat(get("/api/1/resolve/default", "path", "/svc/nobody").body()).isEqualTo("{\"type\":\"neg\"}");
  }

  @Test
  void addrGivesTheEndpointsOfABoundId() throws Exception {
    HttpResponse<String> r = get("/api/1/addr/default", "path", "/#/io.l5d.fs/users-v2");

    assertThat(r.body())
        .isEqualTo("{\"type\":\"bound\",\"addrs\":[{\"ip\":\"127.0.0.1\",\"port\":8082,\"meta\":{}}],\"meta\":{}}");
  }

  /** Calls here come from loopback, which needs no login, so no user is ever looked up. */
  private static final class NoUsers implements dev.turnout.store.UserStore {
    @Override
    public dev.turnout.store.LoginOutcome login(String client, String name, String password) {
      return new dev.turnout.store.LoginOutcome.Refused();
    }

    @Override
    public Optional<dev.turnout.store.User> authenticate(String name, String password) {
      return Optional.empty();
    }

    @Override
    public dev.turnout.store.SessionStore sessions() {
      throw new UnsupportedOperationException("no sessions here");
    }

    @Override
    public void put(String name, dev.turnout.store.Role role, char[] password) {
      throw new UnsupportedOperationException("no users here");
    }

    @Override
    public List<dev.turnout.store.User> users() {
      return List.of();
    }
  }
}
