package dev.turnout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.TracingConfig;
import dev.turnout.testing.PerTest;
import dev.turnout.tracing.RequestTrace;
import dev.turnout.tracing.Tracing;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RecentRequestsHttpTest {
  @TempDir java.nio.file.Path dir;
  private final Tracing tracing =
      Tracing.start(new TracingConfig(List.of(), List.of(), Optional.of(new TracingConfig.RecentRequests(1.0, 5))));

  @RegisterExtension
  final PerTest<DashboardFixture> dash = PerTest.of(d -> new DashboardFixture(d, true, tracing.recent()));

  private void request(String path, String client, int status) {
    RequestTrace t = tracing.begin("web", "GET", path, null, null, null);
    t.routed("/svc/users");
    t.attemptStarted(client, "127.0.0.1:8080");
    t.attemptEnded(status, "");
    t.end(status);
  }

  @Test
  void thePageListsTheLastSampledRequestsNewestFirstWithWhereEachWent() {
    request("/first", "/#/io.l5d.fs/users", 200);
    request("/second", "/#/io.l5d.fs/users-v2", 503);

    HttpResponse<String> r = dash.get().browser().signIn("admin").get("/recent");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("<h1>Recent requests</h1>").contains("hx-trigger=\"every 2s\"");
    assertThat(r.body().indexOf("GET /second")).isLessThan(r.body().indexOf("GET /first")).isPositive();
    assertThat(r.body()).contains("/#/io.l5d.fs/users-v2").contains("127.0.0.1:8080").contains("503");
  }

  @Test
  void anHtmxRefreshAnswersTheTableAlone() throws Exception {
    request("/only", "/#/io.l5d.fs/users", 200);
    DashboardFixture.Browser b = dash.get().browser().signIn("admin");

    HttpResponse<String> r = b.http.send(
        HttpRequest.newBuilder(URI.create(dash.get().url("/recent"))).header("HX-Request", "true").GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.body()).startsWith("<section id=\"recent-requests\"").contains("GET /only").doesNotContain("<h1>");
  }

  @Test
  void withoutTheTelemeterThePageSaysHowToTurnItOn() {
    DashboardFixture plain = new DashboardFixture(dir);
    try {
      HttpResponse<String> r = plain.browser().signIn("admin").get("/recent");

      assertThat(r.body()).contains("Recent requests are not recorded").contains("io.l5d.recentRequests");
    } finally {
      plain.close();
    }
  }
}
