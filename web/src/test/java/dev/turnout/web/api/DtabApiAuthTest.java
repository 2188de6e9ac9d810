package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DtabApiAuthTest {
  @TempDir Path dir;

  private static HttpRequest.Builder dtabPut(ApiServer api, String path) {
    return api.request(path)
        .header("Content-Type", "application/dtab")
        .PUT(HttpRequest.BodyPublishers.ofString("/a=>/b"));
  }

  @Test
  void writeWithoutCredentialsIsUnauthorizedWithChallenge() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      HttpResponse<String> r = api.send(dtabPut(api, "/api/1/dtabs/default"));

      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(h -> assertThat(h).startsWith("Basic realm=\"turnout\""));
      assertThat(api.store.namespaces()).isEmpty();
    }
  }

  @Test
  void writeWithWrongPasswordIsUnauthorized() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      HttpResponse<String> r =
          api.send(
              dtabPut(api, "/api/1/dtabs/default")
                  .header("Authorization", ApiServer.basic(ApiServer.OPERATOR, "wrong")));
      HttpResponse<String> garbage =
          api.send(dtabPut(api, "/api/1/dtabs/default").header("Authorization", "Basic !!!"));

      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(garbage.statusCode()).isEqualTo(401);
      assertThat(api.store.namespaces()).isEmpty();
    }
  }

  @Test
  void viewerMayNotWrite() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      api.write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/one");
      String viewer = ApiServer.basic(ApiServer.VIEWER, ApiServer.VIEWER_PASSWORD);

      HttpResponse<String> put = api.send(dtabPut(api, "/api/1/dtabs/default").header("Authorization", viewer));
      HttpResponse<String> delete =
          api.send(api.request("/api/1/dtabs/default").header("Authorization", viewer).DELETE());
      HttpResponse<String> rollback =
          api.send(
              api.request("/api/1/dtabs/default/rollback")
                  .header("Authorization", viewer)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"version\":1}")));

      assertThat(put.statusCode()).isEqualTo(403);
      assertThat(delete.statusCode()).isEqualTo(403);
      assertThat(rollback.statusCode()).isEqualTo(403);
      assertThat(api.store.versions("default")).hasSize(1);
    }
  }

  @Test
  void writeRecordsTheAuthenticatedOperator() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      api.write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/one");

      assertThat(api.store.current("default").orElseThrow().author()).isEqualTo(ApiServer.OPERATOR);
    }
  }

  @Test
  void readsFromLoopbackNeedNoLogin() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      api.write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/one");

      assertThat(api.get("/api/1/dtabs").statusCode()).isEqualTo(200);
      assertThat(api.get("/api/1/dtabs/default").statusCode()).isEqualTo(200);
      assertThat(api.get("/api/1/dtabs/default/versions").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void readsFromAnotherHostNeedALogin() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      HttpResponse<String> anonymous =
          api.send(api.request("/api/1/dtabs").header("X-Forwarded-For", ApiServer.REMOTE_CALLER).GET());
      HttpResponse<String> viewer =
          api.send(
              api.request("/api/1/dtabs")
                  .header("X-Forwarded-For", ApiServer.REMOTE_CALLER)
                  .header("Authorization", ApiServer.basic(ApiServer.VIEWER, ApiServer.VIEWER_PASSWORD))
                  .GET());

      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(viewer.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void namingCallsFromAnotherHostNeedALoginToo() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      for (String call : new String[] {"delegate", "bind", "resolve"}) {
        HttpResponse<String> anonymous =
            api.send(
                api.request("/api/1/" + call + "/default?path=/svc/users")
                    .header("X-Forwarded-For", ApiServer.REMOTE_CALLER)
                    .GET());
        HttpResponse<String> local = api.get("/api/1/" + call + "/default?path=/svc/users");

        assertThat(anonymous.statusCode()).as(call).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).as(call).isPresent();
        assertThat(local.statusCode()).as(call).isEqualTo(200);
      }
    }
  }

  @Test
  void aWriteFromAnotherSiteIsRefusedAndWritesNothing() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      HttpResponse<String> crossSite =
          api.send(
              api.asOperator("/api/1/dtabs/evil")
                  .header("Content-Type", "text/plain")
                  .header("Origin", "http://attacker.example")
                  .POST(HttpRequest.BodyPublishers.ofString("/svc => !;")));
      HttpResponse<String> fetchMetadata =
          api.send(
              api.asOperator("/api/1/dtabs/evil")
                  .header("Content-Type", "text/plain")
                  .header("Sec-Fetch-Site", "cross-site")
                  .POST(HttpRequest.BodyPublishers.ofString("/svc => !;")));

      assertThat(crossSite.statusCode()).isEqualTo(403);
      assertThat(fetchMetadata.statusCode()).isEqualTo(403);
      assertThat(api.store.namespaces()).doesNotContain("evil");
    }
  }

  @Test
  void aLoopbackReadThatCameThroughTheProxyNeedsALogin() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      for (String header : ApiAuth.FORWARDED_BY_A_PROXY) {
        String value = header.equals("X-Forwarded-For") ? "127.0.0.1" : "1.1 turnout-0a1b2c3d";
        HttpResponse<String> proxied = api.send(api.request("/api/1/dtabs").header(header, value).GET());

        assertThat(proxied.statusCode()).as(header).isEqualTo(401);
      }
    }
  }

  @Test
  void aClientGuessingPasswordsIsTold429WithRetryAfterWhileOthersSignIn() throws Exception {
    try (ApiServer api = new ApiServer(dir)) {
      int refused = 0;
      HttpResponse<String> throttled = null;
      for (int i = 0; i < 40 && throttled == null; i++) {
        HttpResponse<String> r =
            api.send(
                dtabPut(api, "/api/1/dtabs/default")
                    .header("X-Forwarded-For", ApiServer.REMOTE_CALLER)
                    .header("Authorization", ApiServer.basic("name-" + i, "guess")));
        if (r.statusCode() == 429) {
          throttled = r;
        } else {
          assertThat(r.statusCode()).isEqualTo(401);
          refused++;
        }
      }
      HttpResponse<String> rightPasswordSameClient =
          api.send(
              dtabPut(api, "/api/1/dtabs/default")
                  .header("X-Forwarded-For", ApiServer.REMOTE_CALLER)
                  .header("Authorization", ApiServer.basic(ApiServer.OPERATOR, ApiServer.OPERATOR_PASSWORD)));
      HttpResponse<String> otherClient =
          api.send(
              dtabPut(api, "/api/1/dtabs/default")
                  .header("X-Forwarded-For", "198.51.100.7")
                  .header("Authorization", ApiServer.basic(ApiServer.OPERATOR, ApiServer.OPERATOR_PASSWORD)));

      assertThat(refused).isBetween(10, 12); // the allowance, and any refill a slow run earns
      assertThat(throttled).isNotNull();
      assertThat(throttled.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
      assertThat(throttled.body()).contains("too many sign-in attempts");
      assertThat(rightPasswordSameClient.statusCode()).isEqualTo(429);
      assertThat(otherClient.statusCode()).isEqualTo(204);
    }
  }

  @Test
  void loopbackIsRecognisedForBothFamilies() {
    assertThat(ApiAuth.isLoopback("127.0.0.1")).isTrue();
    assertThat(ApiAuth.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(ApiAuth.isLoopback("[::1]")).isTrue();
    assertThat(ApiAuth.isLoopback("192.0.2.7")).isFalse();
    assertThat(ApiAuth.isLoopback("localhost")).isFalse();
  }
}
