package dev.turnout.web;

import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.Role;
import dev.turnout.web.routing.NamesBoundToThemselves;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The dashboard on a real Javalin server (port 0, loopback) over a real H2 store in a temp directory,
 * with an operator and a viewer, real traffic figures, and a cookie-keeping HTTP client per browser.
 */
final class DashboardFixture implements AutoCloseable {
  static final String PASSWORD = "s3cret-enough";
  static final String DTAB = "# routes\n/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users;\n";
  private static final Pattern CSRF = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"|name=\"_csrf\" value=\"([^\"]+)\"");

  final JdbcDtabStore store;
  final ProxyMetrics metrics = new ProxyMetrics();
  private final Javalin app;
  private final AutoCloseable dashboard;

  DashboardFixture(Path dir) {
    this(dir, true);
  }

  /**
   * {@code seed}: adds the users and the namespace; without it, the fixture is another control plane
   * on a database a first fixture seeded.
   */
  DashboardFixture(Path dir, boolean seed) {
    this(dir, seed, java.util.Optional.empty());
  }

  /** With {@code recent} as the io.l5d.recentRequests telemeter's entries. */
  DashboardFixture(Path dir, boolean seed, java.util.Optional<dev.turnout.tracing.RecentRequests> recent) {
    this(dir, seed, recent, NamesBoundToThemselves.preview());
  }

  /** With {@code preview} binding names (and listing the namers). */
  DashboardFixture(Path dir, dev.turnout.web.routing.PreviewService preview) {
    this(dir, true, java.util.Optional.empty(), preview);
  }

  private DashboardFixture(
      Path dir, boolean seed, java.util.Optional<dev.turnout.tracing.RecentRequests> recent,
      dev.turnout.web.routing.PreviewService preview) {
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).passwordIterations(1000).open();
    if (seed) {
      store.userStore().put("admin", Role.OPERATOR, PASSWORD.toCharArray());
      store.userStore().put("watcher", Role.VIEWER, PASSWORD.toCharArray());
      store.create("default", DTAB, "seed", "first routes");
    }
    metrics.router("web", () -> java.util.Optional.of("default"), () -> store.current("default").orElseThrow().version());
    DashboardServices services =
        new DashboardServices(store, store.userStore(), metrics.view(), preview, Clock.systemUTC(),
            java.util.Optional.empty(), recent);
    AutoCloseable[] handle = new AutoCloseable[1];
    app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      handle[0] = Dashboard.register(c, services);
    });
    app.start("127.0.0.1", 0);
    dashboard = handle[0];
  }

  String url(String path) {
    return "http://127.0.0.1:" + app.port() + path;
  }

  /** A browser of its own: a cookie jar, not following redirects. */
  Browser browser() {
    return new Browser();
  }

  @Override
  public void close() {
    try {
      dashboard.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    app.stop();
    metrics.close();
    store.close();
  }

  final class Browser {
    final HttpClient http;
    String csrf = "";

    Browser() {
      this(
          HttpClient.newBuilder()
              .cookieHandler(new CookieManager())
              .followRedirects(HttpClient.Redirect.NEVER)
              .connectTimeout(Duration.ofSeconds(5))
              .build());
    }

    Browser(HttpClient http) {
      this.http = http;
    }

    HttpResponse<String> get(String path) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url(path))).GET());
      Matcher m = CSRF.matcher(r.body());
      if (m.find()) {
        csrf = m.group(1) != null ? m.group(1) : m.group(2);
      }
      return r;
    }

    HttpResponse<String> htmx(String path, Map<String, String> form) {
      return post(path, form, true);
    }

    HttpResponse<String> post(String path, Map<String, String> form, boolean htmx) {
      Map<String, String> all = new LinkedHashMap<>(form);
      all.putIfAbsent("_csrf", csrf);
      String body = all.entrySet().stream()
          .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
          .collect(Collectors.joining("&"));
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(body));
      if (htmx) {
        b.header("HX-Request", "true");
      }
      return send(b);
    }

    HttpResponse<String> send(HttpRequest.Builder b) {
      try {
        return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** The same cookies, sent to another fixture: the browser of an operator moving between control planes. */
    Browser at(DashboardFixture other) {
      return other.new Browser(http);
    }

    Browser signIn(String name) {
      get("/login");
      HttpResponse<String> r = post("/login", Map.of("name", name, "password", PASSWORD), false);
      if (r.statusCode() != 303) {
        throw new AssertionError("sign-in of " + name + " answered " + r.statusCode() + ": " + r.body());
      }
      get("/");
      return this;
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
