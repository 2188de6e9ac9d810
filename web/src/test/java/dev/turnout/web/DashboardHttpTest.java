package dev.turnout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.PerTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DashboardHttpTest {
  @RegisterExtension final PerTest<DashboardFixture> dash = PerTest.of(DashboardFixture::new);

  @Test
  void aPageWithoutASessionRedirectsToSignIn() {
    HttpResponse<String> r = dash.get().browser().get("/dtabs/default");

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/login");
  }

  @Test
  void aWrongPasswordIsRefusedWithAMessage() {
    DashboardFixture.Browser b = dash.get().browser();
    b.get("/login");

    HttpResponse<String> r = b.post("/login", Map.of("name", "admin", "password", "nope"), false);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("Wrong name or password.");
  }

  @Test
  void signingInOpensTheOverviewWithTheRouter() {
    HttpResponse<String> r = dash.get().browser().signIn("admin").get("/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("Router <span class=\"mono\">web</span>").contains("sse-connect=\"/overview/live\"");
  }

  @Test
  void theOverviewListsADestinationTheNameBindsToBeforeItHasTraffic() {
    dash.get().store.update(
        "default",
        "/svc => /#/io.l5d.fs;\n/svc/users => 100 * /#/io.l5d.fs/users & 0 * /#/io.l5d.fs/users-v2;\n",
        java.util.Optional.empty(),
        "admin",
        "canary at 0%");
    var users = dash.get().metrics.service("web", "/svc/users");
    var v1 = dash.get().metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/users");
    users.start();
    v1.start();
    users.finish(true, "", 1_000_000);
    v1.finish(true, "", 1_000_000);

    HttpResponse<String> r = dash.get().browser().signIn("admin").get("/");

    assertThat(r.body()).contains("/#/io.l5d.fs/users-v2");
  }

  @Test
  void theOverviewAnswersHtmxWithJustTheLivePartial() {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");

    HttpResponse<String> partial = b.send(HttpRequest.newBuilder(URI.create(dash.get().url("/"))).header("HX-Request", "true"));

    assertThat(partial.headers().firstValue("Vary")).hasValue("HX-Request");
    assertThat(partial.body()).contains("data-testid=\"as-of\"").doesNotContain("<html");
  }

  @Test
  void aWriteWithAForeignCsrfTokenIsRefused() {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");

    HttpResponse<String> r = b.htmx("/dtabs/default/commit",
        Map.of("_csrf", "forged", "text", "/svc => /x;", "base_etag", dash.get().store.current("default").orElseThrow().etag()));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("security token");
    assertThat(dash.get().store.current("default").orElseThrow().version()).isEqualTo(1);
  }

  @Test
  void aViewerSeesNoWriteControlsAndCannotCommit() {
    DashboardFixture.Browser b = dash.get().browser().signIn("watcher");

    String editor = b.get("/dtabs/default").body();
    HttpResponse<String> r = b.htmx("/dtabs/default/commit",
        Map.of("text", "/svc => /x;", "base_etag", dash.get().store.current("default").orElseThrow().etag()));

    assertThat(editor).doesNotContain("id=\"commit-button\"").doesNotContain("type=\"range\"").contains("readonly");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("viewer");
    assertThat(dash.get().store.current("default").orElseThrow().version()).isEqualTo(1);
  }

  @Test
  void anInvalidDraftShowsTheParsersMessageAndDisablesCommit() {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    b.get("/dtabs/default");

    HttpResponse<String> r = b.htmx("/dtabs/default/check", Map.of("text", "/svc => /a;\n/svc/users => /b\n/x => /y;"));

    assertThat(r.body())
        .contains("Line 3, column 1:")
        .contains("expected but '/' found")
        .containsPattern("id=\"commit-button\"[^>]*disabled");
  }

  @Test
  void movingASliderRewritesTheDraftAndRebalancesTheOtherBranch() {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    b.get("/dtabs/default");
    String text = "# routes\n/svc/users => /#/io.l5d.fs/users & 0.00*/#/io.l5d.fs/v2; # canary\n";

    HttpResponse<String> r = b.send(HttpRequest.newBuilder(URI.create(dash.get().url("/dtabs/default/weight")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("HX-Request", "true")
        .header("HX-Trigger", "w-d0-1")
        .header("X-CSRF-Token", b.csrf)
        .POST(HttpRequest.BodyPublishers.ofString("text=" + java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8) + "&w-d0-1=30")));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("/svc/users =&gt; 0.70*/#/io.l5d.fs/users &amp; 0.30*/#/io.l5d.fs/v2; # canary")
        .containsPattern("id=\"w-d0-0\"[^>]*value=\"70\"")
        .doesNotContain("id=\"w-d0-1\" name");
  }

  @Test
  void aCommitOverSomeoneElsesIsAConflictThatKeepsTheirVersion() {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    String started = dash.get().store.current("default").orElseThrow().etag();
    b.get("/dtabs/default");
    dash.get().store.update("default", "/svc => /#/io.l5d.fs/theirs;", Optional.of(started), "bob", "their change");

    HttpResponse<String> r = b.htmx("/dtabs/default/commit",
        Map.of("text", "/svc => /#/io.l5d.fs/mine;", "base_etag", started, "base_version", "1", "comment", "mine"));

    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.body()).contains("Someone else committed first").contains("bob").contains("/#/io.l5d.fs/theirs");
    assertThat(dash.get().store.current("default").orElseThrow().text()).isEqualTo("/svc => /#/io.l5d.fs/theirs;");
  }

  @Test
  void aCommitRecordsAuthorAndCommentAndRedirectsToTheEditor() {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    b.get("/dtabs/default");

    HttpResponse<String> r = b.htmx("/dtabs/default/commit", Map.of(
        "text", "/svc => /#/io.l5d.fs/v2;", "comment", "all to v2",
        "base_etag", dash.get().store.current("default").orElseThrow().etag()));

    assertThat(r.headers().firstValue("HX-Redirect")).hasValue("/dtabs/default?committed=2");
    assertThat(dash.get().store.current("default").orElseThrow())
        .satisfies(v -> {
          assertThat(v.author()).isEqualTo("admin");
          assertThat(v.comment()).isEqualTo("all to v2");
        });
  }

  @Test
  void rollingBackCommitsTheOldTextAsANewVersion() {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    String v1 = dash.get().store.current("default").orElseThrow().etag();
    String v2 = dash.get().store.update("default", "/svc => /#/io.l5d.fs/bad;", Optional.of(v1), "admin", "oops").etag();
    b.get("/dtabs/default/history");

    HttpResponse<String> r = b.htmx("/dtabs/default/rollback", Map.of("version", "1", "current_etag", v2));

    assertThat(r.headers().firstValue("HX-Redirect")).hasValue("/dtabs/default/history?rolledBack=3");
    assertThat(dash.get().store.current("default").orElseThrow().text()).isEqualTo(DashboardFixture.DTAB);
  }

  @Test
  void theHistoryIsATableWithOneRowPerVersionNewestFirst() {
    String v1 = dash.get().store.current("default").orElseThrow().etag();
    dash.get().store.update("default", "/svc => /#/io.l5d.fs/v2;", Optional.of(v1), "admin", "to v2");

    String page = dash.get().browser().signIn("admin").get("/dtabs/default/history").body();

    assertThat(page).containsSubsequence("data-version=\"2\"", "to v2", "data-version=\"1\"", "first routes");
    assertThat(page).contains("Roll back to this version");
  }

  @Test
  void theLiveFeedSendsTheTrafficPartialEverySecond() throws Exception {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    var stats = dash.get().metrics.serviceClient("web", "/svc/users", "/#/io.l5d.fs/users");
    stats.start();
    stats.finish(true, "", 2_000_000);

    CompletableFuture<HttpResponse<Stream<String>>> stream = b.http.sendAsync(
        HttpRequest.newBuilder(URI.create(dash.get().url("/overview/live"))).header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> r = stream.get(5, TimeUnit.SECONDS);
    String firstEvent = CompletableFuture.supplyAsync(() -> r.body()
            .dropWhile(l -> !l.equals("event: traffic"))
            .takeWhile(l -> !l.isEmpty())
            .reduce("", (a, l) -> a + l + "\n"))
        .get(Duration.ofSeconds(15).toMillis(), TimeUnit.MILLISECONDS);

    assertThat(firstEvent).contains("event: traffic").contains("/#/io.l5d.fs/users").contains("data-testid=\"as-of\"");
  }

  @Test
  void aStoreThatIsDownShowsAMessageNotAStackTrace() {
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");
    dash.get().store.close();

    HttpResponse<String> r = b.get("/dtabs/default");

    assertThat(r.statusCode()).isGreaterThanOrEqualTo(500);
    assertThat(r.body()).contains("class=\"notice error\"").doesNotContain("at dev.turnout").doesNotContain("Exception:");
  }
}
