package dev.turnout.e2e;

import dev.turnout.testing.Backend;
import dev.turnout.testing.Cleanup;
import dev.turnout.testing.Http;
import dev.turnout.testing.Ports;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linkerd 1's linker-to-linker shape with real Turnout processes: an outgoing router sends to the
 * incoming router of the Turnout on the target's host, which is the same process when the target runs
 * on the same host (linkerd/examples/servicemesh.yaml). Routers of one process pass each other
 * requests; a router that sends to itself is refused at the first repeat.
 */
class LinkerToLinkerIT {
  @TempDir Path dir;
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void outgoingAndIncomingRoutersOfOneProcessCarryEveryRequest() throws Exception {
    Backend users = cleanup.add(Backend.named("users"));
    int outgoing = Ports.free();
    int incoming = Ports.free();
    JarProcess turnout = start("linker", config(
        router("outgoing", outgoing, "/svc => /$/inet/127.1/" + incoming),
        router("incoming", incoming, "/svc => /#/io.l5d.fs"),
        users));
    turnout.port("proxy");

    List<Integer> codes = sendMany(outgoing, 200);

    assertThat(codes).as(turnout.output()).containsOnly(200);
    assertThat(users.served()).isEqualTo(200);
  }

  @Test
  void fourChainedRoutersOfOneProcessCarryEveryRequest() throws Exception {
    Backend users = cleanup.add(Backend.named("users"));
    int[] ports = {Ports.free(), Ports.free(), Ports.free(), Ports.free()};
    JarProcess turnout = start("chain", config(
        router("one", ports[0], "/svc => /$/inet/127.1/" + ports[1])
            + router("two", ports[1], "/svc => /$/inet/127.1/" + ports[2])
            + router("three", ports[2], "/svc => /$/inet/127.1/" + ports[3]),
        router("four", ports[3], "/svc => /#/io.l5d.fs"),
        users));
    turnout.port("proxy");

    List<Integer> codes = sendMany(ports[0], 600);

    assertThat(codes).as(turnout.output()).containsOnly(200);
    assertThat(users.served()).isEqualTo(600);
  }

  @Test
  void anOutgoingRouterSendsToTheIncomingRouterOfAnotherProcess() throws Exception {
    Backend users = cleanup.add(Backend.named("users"));
    int incoming = Ports.free();
    JarProcess target = start("target-host", config("", router("incoming", incoming, "/svc => /#/io.l5d.fs"), users));
    int outgoing = Ports.free();
    Path sourceDir = Files.createDirectories(dir.resolve("source"));
    Path sourceConfig = Files.writeString(sourceDir.resolve("linkerd.yml"),
        "routers:\n" + router("outgoing", outgoing, "/svc => /$/inet/127.1/" + incoming));
    JarProcess source = cleanup.add(JarProcess.start("source-host", Map.of(),
        "proxy", "--config", sourceConfig.toString(), "--admin-port", "0", "--warmup", "0"));
    target.port("proxy");
    source.port("proxy");

    List<Integer> codes = sendMany(outgoing, 100);

    assertThat(codes).as(source.output() + "\n" + target.output()).containsOnly(200);
  }

  @Test
  void aRouterThatSendsToItsOwnPortIsRefusedAtTheFirstRepeat() throws Exception {
    Backend users = cleanup.add(Backend.named("users"));
    int self = Ports.free();
    JarProcess turnout = start("self-loop", config("", router("web", self, "/svc => /$/inet/127.1/" + self), users));
    turnout.port("proxy");

    long start = System.nanoTime();
    HttpResponse<String> r = get(self);
    long tookMs = (System.nanoTime() - start) / 1_000_000;

    System.out.println("self-loop refused in " + tookMs + " ms");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Routing loop: this request has already passed router web on 127.0.0.1:" + self);
    assertThat(r.headers().firstValue("l5d-err")).isPresent();
    assertThat(users.served()).isZero();
  }

  private JarProcess start(String name, Path config) {
    return cleanup.add(JarProcess.start(name, Map.of(), "--config", config.toString(), "--admin-port", "0", "--warmup", "0",
        "--data", dir.resolve(name + "-data").toString()));
  }

  /** A config with an fs namer that knows {@code users}, and the routers given (the last one's text last). */
  private Path config(String routers, String lastRouter, Backend users) throws IOException {
    Path disco = Files.createDirectories(dir.resolve("disco-" + users.port()));
    Files.writeString(disco.resolve("users"), "127.0.0.1 " + users.port() + "\n");
    return Files.writeString(Files.createTempFile(dir, "linkerd", ".yml"), String.join("\n",
        "namers:",
        "- kind: io.l5d.fs",
        "  rootDir: " + disco,
        "routers:",
        routers + lastRouter));
  }

  private static String router(String label, int port, String dtab) {
    return String.join("\n",
        "- protocol: http",
        "  label: " + label,
        "  dtab: " + dtab + ";",
        "  servers: [{ip: 127.0.0.1, port: " + port + "}]",
        "");
  }

  private List<Integer> sendMany(int port, int n) {
    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      codes.add(get(port).statusCode());
    }
    return codes;
  }

  private static HttpResponse<String> get(int port) {
    return Http.get("http://127.0.0.1:" + port + "/", "Host", "users");
  }

}
