package dev.turnout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.PerTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import dev.turnout.store.JdbcDtabStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sessions as a browser meets them, on real servers over a real H2 file. */
class SessionsHttpTest {
  @RegisterExtension final PerTest<DashboardFixture> dash = PerTest.of(DashboardFixture::new);

  @Test
  void aFloodOfSignInFormsStoresNothingAndPushesOutNoOperator() throws Exception {
    DashboardFixture.Browser operator = dash.get().browser().signIn("admin");

    for (int i = 0; i < 500; i++) {
      assertThat(dash.get().browser().get("/login").statusCode()).isEqualTo(200);
    }

    assertThat(operator.get("/").statusCode()).isEqualTo(200);
    assertThat(sessionRows()).isEqualTo(1);
  }

  @Test
  void aSignInWithoutTheFormsOwnTokenIsRefused() {
    DashboardFixture.Browser b = dash.get().browser();
    b.get("/login");
    b.csrf = "made-up-by-another-site";

    HttpResponse<String> r = b.post("/login", Map.of("name", "admin", "password", DashboardFixture.PASSWORD), false);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(b.get("/").statusCode()).isEqualTo(303);
  }

  @Test
  void signingOutEndsTheSessionSoItsCookieOpensNothing() {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    String cookie = sessionCookie(b);

    HttpResponse<String> out = b.post("/logout", Map.of(), false);

    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(replay("/", cookie).statusCode()).isEqualTo(303);
  }

  @Test
  void aSignOutRacingRequestsInFlightLeavesNoSession() throws Exception {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    String cookie = sessionCookie(b);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger answered = new AtomicInteger();
    List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      inFlight.add(
          CompletableFuture.runAsync(
              () -> {
                while (!stop.get()) {
                  replay("/", cookie);
                  answered.incrementAndGet();
                }
              },
              pool));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (answered.get() < 20 && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    assertThat(answered.get()).as("requests in flight before the sign-out").isGreaterThanOrEqualTo(20);

    b.post("/logout", Map.of(), false);
    stop.set(true);
    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    pool.shutdown();

    assertThat(replay("/", cookie).statusCode()).isEqualTo(303);
    assertThat(sessionRows()).isZero();
  }

  @Test
  void aSessionMadeOnOneControlPlaneOpensAnotherAndSigningOutThereEndsItOnBoth() throws Exception {
    try (DashboardFixture other = new DashboardFixture(dash.dir(), false)) {
      DashboardFixture.Browser here = dash.get().browser().signIn("admin");
      DashboardFixture.Browser there = here.at(other);

      HttpResponse<String> page = there.get("/");
      there.post("/logout", Map.of(), false);

      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("Router <span class=\"mono\">web</span>");
      assertThat(there.get("/").statusCode()).isEqualTo(303);
      assertThat(sessionRows()).isZero();
    }
  }

  @Test
  void aThrottledSignInSaysSoWith429AndRetryAfter() {
    DashboardFixture.Browser guesser = dash.get().browser();
    guesser.get("/login");
    HttpResponse<String> last = null;
    for (int i = 0; i < 40; i++) {
      last = guesser.post("/login", Map.of("name", "user-" + i, "password", "guess"), false);
      if (last.statusCode() == 429) {
        break;
      }
      assertThat(last.statusCode()).isEqualTo(401);
    }

    assertThat(last.statusCode()).isEqualTo(429);
    assertThat(last.headers().firstValue("Retry-After")).isPresent();
    assertThat(last.body()).contains("Too many sign-in attempts");
  }

  private HttpResponse<String> replay(String path, String cookie) {
    return dash.get().browser().send(HttpRequest.newBuilder(URI.create(dash.get().url(path))).header("Cookie", cookie).GET());
  }

  private static String sessionCookie(DashboardFixture.Browser b) {
    return ((java.net.CookieManager) b.http.cookieHandler().orElseThrow())
        .getCookieStore().getCookies().stream()
        .filter(c -> c.getName().equals("turnout_session"))
        .map(c -> c.getName() + "=" + c.getValue())
        .findFirst()
        .orElseThrow();
  }

  private long sessionRows() throws Exception {
    try (var c = DriverManager.getConnection(JdbcDtabStore.fileUrl(dash.dir()), "sa", "");
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM signed_in_session")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
