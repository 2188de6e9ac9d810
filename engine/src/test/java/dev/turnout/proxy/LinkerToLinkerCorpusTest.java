package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Backend;
import dev.turnout.testing.Ports;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linker-to-linker configs from Linkerd's examples (servicemesh.yaml, linkerd-examples' DC/OS and ECS
 * meshes), adapted to io.l5d.fs, run as two routers of one process: a request to the outgoing router
 * goes, through {@code io.l5d.port}, to the incoming router's port on the target's host (here
 * 127.0.0.1), which keeps only this host's instances and reaches the backend. The backend sees the
 * incoming router's client, so the request went through both.
 */
class LinkerToLinkerCorpusTest {
  @TempDir Path dir;
  private final Backend a = Backend.named("a");
  private final int incoming = Ports.free();
  private Corpus corpus;

  @AfterEach
  void stop() throws Exception {
    if (corpus != null) {
      corpus.close();
    }
    a.close();
  }

  private Corpus load(String file, String... files) {
    return Corpus.load(file, dir, Map.of(4141, incoming), Map.of(), files).start();
  }

  private String web() {
    return "127.0.0.1 " + a.port() + "\n";
  }

  private void assertCameThroughIncoming(HttpResponse<String> r, String incomingClient) {
    assertThat(r.statusCode()).as("status, l5d-err: %s", r.headers().firstValue("l5d-err")).isEqualTo(200);
    assertThat(r.body()).isEqualTo("a");
    assertThat(a.lastHeaders).containsEntry("l5d-dst-client", incomingClient);
    assertThat(a.hits.get()).isEqualTo(1);
  }

  @Test
  void servicemeshSendsOutgoingTrafficThroughTheIncomingRouterOnTheTargetsHost() {
    corpus = load("examples-servicemesh.yml", "linkerd/examples/io.l5d.fs/web", web());

    HttpResponse<String> r = corpus.get("outgoing", "/hello", "Host", "web");

    assertCameThroughIncoming(r, "/%/io.l5d.localhost/#/io.l5d.fs/web");
    assertThat(a.lastUri).isEqualTo("/hello");
    assertThat(corpus.config.warnings()).isEmpty();
  }

  @Test
  void servicemeshIncomingRouterDoesNotSendToInstancesOnOtherHosts() {
    corpus = load("examples-servicemesh.yml", "linkerd/examples/io.l5d.fs/far", "192.0.2.1 " + a.port() + "\n");

    HttpResponse<String> r = corpus.get("incoming", "/", "Host", "far");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(a.hits.get()).isZero();
  }

  @Test
  void servicemeshRoutersKeepClientsApartUnderTheirTransformersPrefixes() {
    corpus = load("examples-servicemesh.yml", "linkerd/examples/io.l5d.fs/web", web());

    corpus.get("outgoing", "/", "Host", "web");

    assertThat(corpus.clients("outgoing")).containsExactly("/%/io.l5d.port/" + incoming + "/#/io.l5d.fs/web");
    assertThat(corpus.clients("incoming")).containsExactly("/%/io.l5d.localhost/#/io.l5d.fs/web");
  }

  @Test
  void dcosLinkerToLinkerRoutesTheHostThroughDomainToPathAndBothRouters() {
    corpus = load("examples-dcos-linker-to-linker.yml", "linkerd/examples/io.l5d.fs/web", web());

    HttpResponse<String> r = corpus.get("outgoing", "/", "Host", "web");

    assertCameThroughIncoming(r, "/%/io.l5d.localhost/#/io.l5d.fs/web");
  }

  @Test
  void ecsLinkerToLinkerKeepsOnlyTheSpecificHostOnTheIncomingRouter() {
    corpus = load("examples-ecs-linker-to-linker.yml", "linkerd/examples/io.l5d.fs/web", web());

    HttpResponse<String> r = corpus.get("outgoing", "/", "Host", "web");

    assertCameThroughIncoming(r, "/%/io.l5d.specificHost/#/io.l5d.fs/web");
  }
}
