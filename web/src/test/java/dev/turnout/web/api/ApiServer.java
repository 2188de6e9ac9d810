package dev.turnout.web.api;

import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.Role;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import dev.turnout.naming.Interpreter;
import dev.turnout.store.DtabVersion;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import java.util.Base64;

/**
 * A real Javalin on a free loopback port with only the API (dtabs and naming), over a real H2 store in a
 * temp dir. It honours {@code X-Forwarded-For}, so a test can call as if from another host while
 * every server stays on loopback.
 */
public final class ApiServer implements AutoCloseable {
  static final String OPERATOR = "ops";
  static final String OPERATOR_PASSWORD = "ops-password";
  static final String VIEWER = "viewer";
  static final String VIEWER_PASSWORD = "viewer-password";

  final JdbcDtabStore store;
  final Javalin app;
  final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public ApiServer(Path dataDir) {
    this(JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dataDir)).passwordIterations(2).open());
  }

  /** The API on {@code store}, which it closes when it stops. */
  public ApiServer(JdbcDtabStore store) {
    this(store, new Interpreter(List.of()));
  }

  /** The API on {@code store}, binding names with {@code namers}. */
  public ApiServer(JdbcDtabStore store, Interpreter namers) {
    this(store, namers, 0);
  }

  /** The API on {@code store} at {@code port} (0: any free one), as a control plane that came back. */
  public ApiServer(JdbcDtabStore store, Interpreter namers, int port) {
    this.store = store;
    store.userStore().put(OPERATOR, Role.OPERATOR, OPERATOR_PASSWORD.toCharArray());
    store.userStore().put(VIEWER, Role.VIEWER, VIEWER_PASSWORD.toCharArray());
    app =
        Javalin.create(
                config -> {
                  config.startup.showJavalinBanner = false;
                  config.jetty.host = HOST;
                  config.jetty.port = port;
                  config.jetty.modifyHttpConfiguration(
                      http -> http.addCustomizer(new ForwardedRequestCustomizer()));
                  // A small watch limit, so the test of what happens beyond it opens few streams.
                  DtabWatches watches = DtabApi.register(config, store, store.userStore(), WATCH_LIMIT);
                  NamingRoutes.register(
                      config,
                      ns -> store.current(ns).map(DtabVersion::dtab),
                      namers,
                      store.userStore(),
                      watches);
                  // Rollouts with no ticking: a test sees what starting and acting on one write.
                  RolloutApi.register(config, new dev.turnout.web.rollout.RolloutDriver(store, store.rollouts(),
                      (ns, service, dst) -> java.util.Optional.empty(),
                      (ns, version) -> new dev.turnout.web.rollout.Convergence.Seen(true, List.of(), List.of()),
                      java.time.Clock.systemUTC()), store.userStore());
                })
            .start();
  }

  private static final String HOST = "127.0.0.1";

  /** The watch streams this server allows at once. */
  static final int WATCH_LIMIT = 8;

  /** An address from the documentation range, standing for a caller on another host. */
  static final String REMOTE_CALLER = "192.0.2.2";

  URI uri(String pathAndQuery) {
    return URI.create("http://" + HOST + ":" + app.port() + pathAndQuery);
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
  }

  /** A request with the operator's credentials. */
  public HttpRequest.Builder asOperator(String pathAndQuery) {
    return request(pathAndQuery).header("Authorization", basic(OPERATOR, OPERATOR_PASSWORD));
  }

  public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> get(String pathAndQuery) throws Exception {
    return send(request(pathAndQuery).GET());
  }

  /** A write as the operator with a body of the given content type. */
  public HttpResponse<String> write(String method, String path, String contentType, String body)
      throws Exception {
    return send(
        asOperator(path)
            .header("Content-Type", contentType)
            .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  public int port() {
    return app.port();
  }

  /** The store behind this server, for a server started again on it. */
  public JdbcDtabStore store() {
    return store;
  }

  /** Stops answering, as a control plane that went away; {@link #close} still releases the store. */
  public void stopServing() {
    app.stop();
  }

  @Override
  public void close() {
    app.stop();
    store.close();
  }
}
