package dev.turnout.web.rollout;

import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.store.Role;
import dev.turnout.web.Dashboard;
import dev.turnout.web.DashboardServices;
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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The dashboard with its rollouts screen on a real Javalin server (loopback, port 0) over the {@link
 * RolloutRig}'s real H2 store and driver: the test moves the driver's clock and sets the canary's
 * figures, and reads the pages a signed-in operator or viewer gets.
 */
final class RolloutScreenRig implements AutoCloseable {
  static final String PASSWORD = "s3cret-enough";
  private static final Pattern CSRF = Pattern.compile(
      "name=\"csrf-token\" content=\"([^\"]+)\"|name=\"_csrf\" value=\"([^\"]+)\"");

  final RolloutRig rig;
  private final ProxyMetrics metrics = new ProxyMetrics();
  private final Javalin app;
  private final AutoCloseable dashboard;

  RolloutScreenRig(Path dir) {
    rig = new RolloutRig(dir);
    rig.store.userStore().put("admin", Role.OPERATOR, PASSWORD.toCharArray());
    rig.store.userStore().put("watcher", Role.VIEWER, PASSWORD.toCharArray());
    DashboardServices services = new DashboardServices(rig.store, rig.store.userStore(), metrics.view(),
        NamesBoundToThemselves.preview(), rig.clock, Optional.empty(), Optional.empty(), Optional.of(rig.driver));
    AutoCloseable[] handle = new AutoCloseable[1];
    app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      handle[0] = Dashboard.register(c, services);
    });
    app.start("127.0.0.1", 0);
    dashboard = handle[0];
  }

  Browser signIn(String name) {
    Browser b = new Browser();
    b.get("/login");
    HttpResponse<String> r = b.post("/login", Map.of("name", name, "password", PASSWORD), false);
    if (r.statusCode() != 303) {
      throw new AssertionError("sign-in of " + name + " answered " + r.statusCode());
    }
    b.get("/");
    return b;
  }

  @Override
  public void close() throws Exception {
    dashboard.close();
    app.stop();
    metrics.close();
    rig.close();
  }

  /** A browser: a cookie jar, the page's CSRF token, redirects not followed. */
  final class Browser {
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    String csrf = "";

    HttpResponse<String> get(String path) {
      return get(path, false);
    }

    HttpResponse<String> get(String path, boolean htmx) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).GET();
      if (htmx) {
        b.header("HX-Request", "true");
      }
      HttpResponse<String> r = send(b);
      Matcher m = CSRF.matcher(r.body());
      if (m.find()) {
        csrf = m.group(1) != null ? m.group(1) : m.group(2);
      }
      return r;
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

    private HttpResponse<String> send(HttpRequest.Builder b) {
      try {
        return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + app.port() + path;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
