package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.testing.PerTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RolloutApiTest {
  @RegisterExtension final PerTest<ApiServer> api = PerTest.of(ApiServer::new);

  private static final String DTAB = "/svc => /#/io.l5d.fs;\n/svc/users => /#/io.l5d.fs/users;\n";
  private static final String GOOD = "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\","
      + " \"steps\": [5, 20, 50, 100], \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500,"
      + " \"minRequests\": 100}";

  private ApiServer withDtab() {
    ApiServer s = api.get();
    s.store.create("default", DTAB, "alice", "first");
    return s;
  }

  private HttpResponse<String> start(String ns, String body) throws Exception {
    return api.get().write("POST", "/api/1/rollouts/" + ns, "application/json", body);
  }

  private HttpResponse<String> post(String path) throws Exception {
    return api.get().send(api.get().asOperator(path).POST(HttpRequest.BodyPublishers.noBody()));
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return ApiJson.MAPPER.readTree(r.body());
  }

  /** Nothing was written: the dtab is still at its first version and no rollout exists. */
  private void nothingWritten() {
    assertThat(api.get().store.current("default").orElseThrow().version()).isEqualTo(1);
    assertThat(api.get().store.rollouts().of("default")).isEmpty();
  }

  @Test
  void startAnswers201WithTheRolloutAndCommitsTheFirstStep() throws Exception {
    ApiServer s = withDtab();

    HttpResponse<String> r = start("default", GOOD);

    assertThat(r.statusCode()).isEqualTo(201);
    JsonNode body = json(r);
    assertThat(body.get("id").asLong()).isEqualTo(1);
    assertThat(body.get("service").asText()).isEqualTo("/svc/users");
    assertThat(body.get("canary").asText()).isEqualTo("/#/io.l5d.fs/users-v2");
    assertThat(body.get("stable").asText()).isEqualTo("/#/io.l5d.fs/users");
    assertThat(body.get("state").asText()).isEqualTo("running");
    assertThat(body.get("step").asInt()).isEqualTo(1);
    assertThat(body.get("weight").asInt()).isEqualTo(5);
    assertThat(body.get("versions").toString()).isEqualTo("[2]");
    assertThat(body.has("reason")).isTrue();
    assertThat(s.store.current("default").orElseThrow().text())
        .contains("/svc/users => 95 * /#/io.l5d.fs/users & 5 * /#/io.l5d.fs/users-v2;");
  }

  @Test
  void listAnswersRolloutsNewestFirstToALoopbackReaderWithoutLogin() throws Exception {
    ApiServer s = withDtab();
    start("default", GOOD);
    post("/api/1/rollouts/default/1/abort");
    start("default", GOOD);

    HttpResponse<String> r = s.get("/api/1/rollouts/default");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode list = json(r);
    assertThat(list.size()).isEqualTo(2);
    assertThat(list.get(0).get("id").asLong()).isEqualTo(2);
    assertThat(list.get(1).get("state").asText()).isEqualTo("aborted");
  }

  @Test
  void remoteReadNeedsALoginAndAViewerWillDo() throws Exception {
    ApiServer s = withDtab();

    HttpResponse<String> anonymous =
        s.send(s.request("/api/1/rollouts/default").header("X-Forwarded-For", ApiServer.REMOTE_CALLER));
    HttpResponse<String> viewer = s.send(s.request("/api/1/rollouts/default")
        .header("X-Forwarded-For", ApiServer.REMOTE_CALLER)
        .header("Authorization", ApiServer.basic(ApiServer.VIEWER, ApiServer.VIEWER_PASSWORD)));

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(viewer.statusCode()).isEqualTo(200);
  }

  @Test
  void viewerMayNotStartOrActOnARollout() throws Exception {
    ApiServer s = withDtab();
    String viewer = ApiServer.basic(ApiServer.VIEWER, ApiServer.VIEWER_PASSWORD);

    HttpResponse<String> r = s.send(s.request("/api/1/rollouts/default").header("Authorization", viewer)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(GOOD)));
    HttpResponse<String> anonymous = s.send(s.request("/api/1/rollouts/default")
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(GOOD)));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    nothingWritten();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // no dentry has the prefix
      "{\"service\": \"/svc/orders\", \"canary\": \"/#/io.l5d.fs/o2\", \"steps\": [50, 100], \"stepSeconds\": 60,"
          + " \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      // the canary is the stable
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users\", \"steps\": [50, 100], \"stepSeconds\": 60,"
          + " \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      // steps not rising
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 20, 100],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      // steps not ending at 100
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [5, 50],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      // steps past 100, and not whole
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 150],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [2.5, 100],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      // thresholds out of range
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 100],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 1.5, \"maxP99Ms\": 500, \"minRequests\": 100}",
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 100],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": -1, \"minRequests\": 100}",
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 100],"
          + " \"stepSeconds\": 0, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 100],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 0}",
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 100],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100,"
          + " \"maxP99Ratio\": 0.5}",
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 100],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100,"
          + " \"gateBefore\": 70}",
      // missing, misspelt, wrongly typed, or not JSON at all
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 100]}",
      "{\"service\": \"/svc/users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 100],"
          + " \"stepSeconds\": 60, \"minSucessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      "{\"service\": 7, \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 100],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      "{\"service\": \"svc users\", \"canary\": \"/#/io.l5d.fs/users-v2\", \"steps\": [50, 100],"
          + " \"stepSeconds\": 60, \"minSuccessRate\": 0.99, \"maxP99Ms\": 500, \"minRequests\": 100}",
      "[1, 2]",
      "not json",
      ""
  })
  void badSpecIs400AndWritesNothing(String body) throws Exception {
    withDtab();

    HttpResponse<String> r = start("default", body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).isNotBlank();
    nothingWritten();
  }

  @Test
  void secondRolloutOnARunningPrefixIs409AndWritesNothing() throws Exception {
    ApiServer s = withDtab();
    start("default", GOOD);

    HttpResponse<String> r = start("default", GOOD);

    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.body()).contains("rollout 1 is already moving /svc/users");
    assertThat(s.store.current("default").orElseThrow().version()).isEqualTo(2);
    assertThat(s.store.rollouts().of("default")).hasSize(1);
  }

  @Test
  void unknownNamespaceOrIdIs404() throws Exception {
    ApiServer s = withDtab();

    assertThat(start("nowhere", GOOD).statusCode()).isEqualTo(404);
    assertThat(s.get("/api/1/rollouts/nowhere").statusCode()).isEqualTo(404);
    assertThat(s.get("/api/1/rollouts/default/7").statusCode()).isEqualTo(404);
    assertThat(s.get("/api/1/rollouts/default/x").statusCode()).isEqualTo(404);
    assertThat(post("/api/1/rollouts/default/7/pause").statusCode()).isEqualTo(404);
    assertThat(post("/api/1/rollouts/nowhere/1/abort").statusCode()).isEqualTo(404);
    assertThat(s.store.namespaces()).containsExactly("default");
    nothingWritten();
  }

  @Test
  void pauseResumePromoteAndAbortMoveTheStateAndRefuseWhatItDoesNotAllow() throws Exception {
    ApiServer s = withDtab();
    start("default", GOOD);

    HttpResponse<String> paused = post("/api/1/rollouts/default/1/pause");
    HttpResponse<String> pausedAgain = post("/api/1/rollouts/default/1/pause");
    HttpResponse<String> resumed = post("/api/1/rollouts/default/1/resume");
    HttpResponse<String> promoted = post("/api/1/rollouts/default/1/promote");
    HttpResponse<String> abortAfter = post("/api/1/rollouts/default/1/abort");

    assertThat(paused.statusCode()).isEqualTo(200);
    assertThat(json(paused).get("state").asText()).isEqualTo("paused");
    assertThat(json(paused).get("reason").asText()).isEqualTo("paused by ops");
    assertThat(pausedAgain.statusCode()).isEqualTo(409);
    assertThat(json(resumed).get("state").asText()).isEqualTo("running");
    assertThat(json(promoted).get("state").asText()).isEqualTo("succeeded");
    assertThat(json(promoted).get("weight").asInt()).isEqualTo(100);
    assertThat(abortAfter.statusCode()).isEqualTo(409);
    assertThat(s.store.current("default").orElseThrow().text())
        .contains("/svc/users => /#/io.l5d.fs/users-v2;");
  }

  @Test
  void abortRestoresTheDentryWithTheOperatorNamed() throws Exception {
    ApiServer s = withDtab();
    start("default", GOOD);

    HttpResponse<String> r = post("/api/1/rollouts/default/1/abort");

    assertThat(json(r).get("state").asText()).isEqualTo("aborted");
    assertThat(s.store.current("default").orElseThrow().text()).isEqualTo(DTAB);
    assertThat(s.store.current("default").orElseThrow().comment()).contains("aborted by ops");
    assertThat(s.store.versions("default")).extracting(v -> v.author())
        .containsExactly("rollout 1", "rollout 1", "alice");
  }
}
