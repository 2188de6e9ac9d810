package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.PerTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DtabApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final PerTest<ApiServer> api = PerTest.of(ApiServer::new);

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void namerctlSequenceWorks() throws Exception {
    HttpResponse<String> created =
        api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /#/io.l5d.fs;");
    HttpResponse<String> list =
        api.get().send(api.get().request("/api/1/dtabs").header("Accept", "application/json").GET());
    HttpResponse<String> got =
        api.get().send(api.get().request("/api/1/dtabs/default").header("Accept", "application/json").GET());
    HttpResponse<String> put =
        api.get().send(
            api.get().asOperator("/api/1/dtabs/default")
                .header("Content-Type", "application/dtab")
                .header("If-Match", got.headers().firstValue("ETag").orElseThrow())
                .PUT(HttpRequest.BodyPublishers.ofString("/svc => /#/io.l5d.fs/v2;")));
    HttpResponse<String> jsonPut =
        api.get().send(
            api.get().asOperator("/api/1/dtabs/default")
                .header("Content-Type", "application/json")
                .header("If-Match", put.headers().firstValue("ETag").orElseThrow())
                .PUT(HttpRequest.BodyPublishers.ofString("[{\"prefix\":\"/svc\",\"dst\":\"/#/io.l5d.fs/v3\"}]")));
    HttpResponse<String> deleted =
        api.get().send(api.get().asOperator("/api/1/dtabs/default").DELETE());
    HttpResponse<String> gone = api.get().get("/api/1/dtabs/default");

    assertThat(created.statusCode()).isEqualTo(204);
    assertThat(created.headers().firstValue("ETag")).contains("AAAAAAAAAAE=");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
    assertThat(list.body()).isEqualTo("[\"default\"]");
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.headers().firstValue("ETag")).contains("AAAAAAAAAAE=");
    assertThat(got.body()).isEqualTo("[{\"prefix\":\"/svc\",\"dst\":\"/#/io.l5d.fs\"}]");
    assertThat(put.statusCode()).isEqualTo(204);
    assertThat(put.headers().firstValue("ETag")).contains("AAAAAAAAAAI=");
    assertThat(jsonPut.statusCode()).isEqualTo(204);
    assertThat(jsonPut.headers().firstValue("ETag")).contains("AAAAAAAAAAM=");
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(gone.statusCode()).isEqualTo(404);
  }

  @Test
  void listIsSorted() throws Exception {
    for (String ns : new String[] {"zeta", "alpha", "mid"}) {
      api.get().write("POST", "/api/1/dtabs/" + ns, "text/plain", "/a=>/b");
    }

    assertThat(api.get().get("/api/1/dtabs").body()).isEqualTo("[\"alpha\",\"mid\",\"zeta\"]");
    assertThat(api.get().get("/api/1/dtabs/").body()).isEqualTo("[\"alpha\",\"mid\",\"zeta\"]");
  }

  @Test
  void dtabAcceptGivesTextExactlyAsWritten() throws Exception {
    String text = "# the routes\n/svc   => /#/io.l5d.fs ;   # fs namer\n/svc/x => /$/inet/127.0.0.1/1;\n";
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", text);

    HttpResponse<String> dtab =
        api.get().send(api.get().request("/api/1/dtabs/default").header("Accept", "application/dtab").GET());
    HttpResponse<String> plain =
        api.get().send(api.get().request("/api/1/dtabs/default").header("Accept", "text/plain").GET());

    assertThat(dtab.body()).isEqualTo(text);
    assertThat(dtab.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/dtab"));
    assertThat(plain.body()).isEqualTo(text);
  }

  @Test
  void headGivesEtagOnly() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/b");

    HttpResponse<String> head =
        api.get().send(api.get().request("/api/1/dtabs/default").method("HEAD", HttpRequest.BodyPublishers.noBody()));
    HttpResponse<String> missing =
        api.get().send(api.get().request("/api/1/dtabs/nope").method("HEAD", HttpRequest.BodyPublishers.noBody()));

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("ETag")).contains("AAAAAAAAAAE=");
    assertThat(head.body()).isEmpty();
    assertThat(missing.statusCode()).isEqualTo(404);
  }

  @Test
  void postOfExistingNamespaceIsConflict() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/b");

    HttpResponse<String> again = api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/c");

    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(api.get().store.versions("default")).hasSize(1);
  }

  /** A PUT of dtab text with {@code If-Match: etag}, as an operator. */
  private HttpResponse<String> putIfMatch(String path, String etag, String dtab) throws Exception {
    return api.get().send(
        api.get().asOperator(path)
            .header("Content-Type", "application/dtab")
            .header("If-Match", etag)
            .PUT(HttpRequest.BodyPublishers.ofString(dtab)));
  }

  @Test
  void staleIfMatchIsPreconditionFailedAndWritesNothing() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/b");
    api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/a=>/c");

    HttpResponse<String> stale = putIfMatch("/api/1/dtabs/default", "AAAAAAAAAAE=", "/a=>/d");

    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(api.get().store.current("default").orElseThrow().text()).isEqualTo("/a=>/c");
  }

  @Test
  void anEmptyIfMatchIsAConditionNoVersionMeets() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/b");

    HttpResponse<String> r = putIfMatch("/api/1/dtabs/default", "", "/a=>/clobbered");

    assertThat(r.statusCode()).isEqualTo(412);
    assertThat(api.get().store.current("default").orElseThrow().text()).isEqualTo("/a=>/b");
  }

  @Test
  void putWithIfMatchOnAbsentNamespaceIsNotFound() throws Exception {
    HttpResponse<String> r = putIfMatch("/api/1/dtabs/nope", "AAAAAAAAAAE=", "/a=>/d");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(api.get().store.namespaces()).isEmpty();
  }

  @Test
  void putWithoutIfMatchUpserts() throws Exception {
    HttpResponse<String> r = api.get().write("PUT", "/api/1/dtabs/fresh", "application/dtab", "/a=>/b");

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("ETag")).contains("AAAAAAAAAAE=");
    assertThat(api.get().store.namespaces()).containsExactly("fresh");
  }

  @Test
  void deleteOfAbsentNamespaceIsNotFound() throws Exception {
    assertThat(api.get().send(api.get().asOperator("/api/1/dtabs/nope").DELETE()).statusCode()).isEqualTo(404);
  }

  @Test
  void jsonBodyIsAcceptedAsDentryList() throws Exception {
    HttpResponse<String> r =
        api.get().write(
            "POST",
            "/api/1/dtabs/default",
            "application/json; charset=utf-8",
            "[{\"prefix\":\"/svc\",\"dst\":\"/#/io.l5d.fs\"},{\"prefix\":\"/svc/a\",\"dst\":\"/x | /y\"}]");

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(api.get().get("/api/1/dtabs/default").body())
        .isEqualTo(
            "[{\"prefix\":\"/svc\",\"dst\":\"/#/io.l5d.fs\"},{\"prefix\":\"/svc/a\",\"dst\":\"/x | /y\"}]");
  }

  @Test
  void jsonWithNullOrInvalidDentriesIsBadRequest() throws Exception {
    HttpResponse<String> r =
        api.get().write(
            "POST",
            "/api/1/dtabs/default",
            "application/json",
            "[null,{\"prefix\":\"/svc\",\"dst\":\"/#/io.l5d.fs\"},{\"prefix\":\"svc\",\"dst\":\"/x\"}]");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).startsWith("The dtab contains invalid dentries: ").contains("#0").contains("#2");
    assertThat(api.get().store.namespaces()).isEmpty();
  }

  @Test
  void malformedDtabIsBadRequestWithParserMessageLineAndColumn() throws Exception {
    HttpResponse<String> r =
        api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/a => /b;\n/c =< /d;");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("line 2, column").contains("expected");
    assertThat(api.get().store.namespaces()).isEmpty();
  }

  @Test
  void unsupportedContentTypeIsBadRequestAsInNamerd() throws Exception {
    HttpResponse<String> r = api.get().write("POST", "/api/1/dtabs/default", "application/xml", "/a=>/b");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Content-Type must be");
    assertThat(api.get().store.namespaces()).isEmpty();
  }

  @Test
  void bodyOverOneMebibyteIsTooLarge() throws Exception {
    String big = "/a=>/b;" + "#".repeat(DtabBodies.MAX_BYTES);

    HttpResponse<String> r = api.get().write("POST", "/api/1/dtabs/default", "application/dtab", big);

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(api.get().store.namespaces()).isEmpty();
  }

  @Test
  void badNamespaceNameIsBadRequest() throws Exception {
    HttpResponse<String> r = api.get().write("POST", "/api/1/dtabs/bad%20name", "application/dtab", "/a=>/b");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("namespace");
    assertThat(api.get().get("/api/1/dtabs/" + "x".repeat(65)).statusCode()).isEqualTo(400);
    // Dot segments: clients collapse them out of a path, so such a namespace could not be reached.
    assertThat(api.get().write("PUT", "/api/1/dtabs/%2E%2E", "application/dtab", "/a=>/b").statusCode()).isEqualTo(400);
    assertThat(api.get().write("PUT", "/api/1/dtabs/%2E", "application/dtab", "/a=>/b").statusCode()).isEqualTo(400);
    assertThat(api.get().store.namespaces()).isEmpty();
  }

  @Test
  void jsonWithAnythingAfterTheListIsBadRequest() throws Exception {
    HttpResponse<String> r =
        api.get().write("PUT", "/api/1/dtabs/j", "application/json", "[{\"prefix\":\"/a\",\"dst\":\"/b\"}]garbage");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(api.get().store.namespaces()).isEmpty();
  }

  @Test
  void aCommentHeaderSentAsUtf8IsReadAsUtf8() {
    String sentByCurl = new String("café au lait".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);

    assertThat(DtabHandlers.headerText(sentByCurl)).isEqualTo("café au lait");
    assertThat(DtabHandlers.headerText("caf\u00e9")).as("Latin-1 that is not UTF-8 stays").isEqualTo("caf\u00e9");
  }

  @Test
  void rollbackTakesItsCommentFromTheBody() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/one");
    api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/a=>/two");

    api.get().write("POST", "/api/1/dtabs/default/rollback", "application/json", "{\"version\":1,\"comment\":\"v2 broke login\"}");

    assertThat(api.get().store.current("default").orElseThrow().comment()).isEqualTo("v2 broke login");
  }

  @Test
  void versionsListHistoryNewestFirstWithAuthorAndComment() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default?comment=first", "application/dtab", "/a=>/one");
    api.get().send(
        api.get().asOperator("/api/1/dtabs/default")
            .header("Content-Type", "application/dtab")
            .header("X-Turnout-Comment", "second")
            .PUT(HttpRequest.BodyPublishers.ofString("/a=>/two")));

    JsonNode versions = json(api.get().get("/api/1/dtabs/default/versions"));

    assertThat(versions).hasSize(2);
    assertThat(versions.get(0).get("version").asLong()).isEqualTo(2);
    assertThat(versions.get(0).get("etag").asText()).isEqualTo("AAAAAAAAAAI=");
    assertThat(versions.get(0).get("author").asText()).isEqualTo(ApiServer.OPERATOR);
    assertThat(versions.get(0).get("comment").asText()).isEqualTo("second");
    assertThat(versions.get(0).get("dtab").asText()).isEqualTo("/a=>/two");
    assertThat(versions.get(0).get("createdAt").asText()).isNotBlank();
    assertThat(versions.get(1).get("comment").asText()).isEqualTo("first");
    assertThat(api.get().get("/api/1/dtabs/nope/versions").statusCode()).isEqualTo(404);
  }

  @Test
  void rollbackByVersionCommitsOldDtabAgain() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/a => /one; # v1");
    api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/a=>/two");

    HttpResponse<String> r = api.get().write("POST", "/api/1/dtabs/default/rollback", "application/json", "{\"version\":1}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("ETag")).contains("AAAAAAAAAAM=");
    assertThat(json(r).get("version").asLong()).isEqualTo(3);
    assertThat(api.get().store.current("default").orElseThrow().text()).isEqualTo("/a => /one; # v1");
  }

  @Test
  void rollbackByEtagHonoursIfMatch() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/one");
    api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/a=>/two");

    HttpResponse<String> stale =
        api.get().send(
            api.get().asOperator("/api/1/dtabs/default/rollback")
                .header("Content-Type", "application/json")
                .header("If-Match", "AAAAAAAAAAE=")
                .POST(HttpRequest.BodyPublishers.ofString("{\"etag\":\"AAAAAAAAAAE=\"}")));
    HttpResponse<String> fresh =
        api.get().send(
            api.get().asOperator("/api/1/dtabs/default/rollback")
                .header("Content-Type", "application/json")
                .header("If-Match", "AAAAAAAAAAI=")
                .POST(HttpRequest.BodyPublishers.ofString("{\"etag\":\"AAAAAAAAAAE=\"}")));

    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(fresh.statusCode()).isEqualTo(200);
    assertThat(api.get().store.current("default").orElseThrow().text()).isEqualTo("/a=>/one");
  }

  @Test
  void rollbackToUnknownVersionIsNotFoundAndBadBodyIsBadRequest() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/a=>/one");

    HttpResponse<String> unknown =
        api.get().write("POST", "/api/1/dtabs/default/rollback", "application/json", "{\"version\":7}");
    HttpResponse<String> bad =
        api.get().write("POST", "/api/1/dtabs/default/rollback", "application/json", "{\"v\":1}");
    HttpResponse<String> trailing =
        api.get().write("POST", "/api/1/dtabs/default/rollback", "application/json", "{\"version\":1}x");

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(trailing.statusCode()).isEqualTo(400);
    assertThat(api.get().store.versions("default")).hasSize(1);
  }

  @Test
  void diffShowsDentryChangesBetweenVersions() throws Exception {
    api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/svc=>/a;/svc/x=>/b");
    api.get().write("PUT", "/api/1/dtabs/default", "application/dtab", "/svc=>/c;/svc/x=>/b;/svc/y=>/d");

    JsonNode diff = json(api.get().get("/api/1/dtabs/default/diff?from=1&to=2"));
    JsonNode defaulted = json(api.get().get("/api/1/dtabs/default/diff"));

    assertThat(diff.get("from").get("version").asLong()).isEqualTo(1);
    assertThat(diff.get("to").get("version").asLong()).isEqualTo(2);
    assertThat(diff.get("changes")).hasSize(2);
    assertThat(diff.get("changes").get(0).get("kind").asText()).isEqualTo("changed");
    assertThat(diff.get("changes").get(0).get("prefix").asText()).isEqualTo("/svc");
    assertThat(diff.get("changes").get(0).get("fromDst").asText()).isEqualTo("/a");
    assertThat(diff.get("changes").get(0).get("toDst").asText()).isEqualTo("/c");
    assertThat(diff.get("changes").get(1).get("kind").asText()).isEqualTo("added");
    assertThat(defaulted).isEqualTo(diff);
    assertThat(api.get().get("/api/1/dtabs/default/diff?from=9").statusCode()).isEqualTo(404);
  }
}
