package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.naming.ControlPlaneNamer;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.k8s.K8sNamer;
import dev.turnout.naming.k8s.K8sStandIn;
import dev.turnout.store.JdbcDtabStore;
import dev.turnout.testing.Backend;
import dev.turnout.testing.Cleanup;
import dev.turnout.web.api.ApiServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names followed by a fleet: the control plane alone runs io.l5d.k8s (only it needs the API server
 * and its credentials); a proxy following it, with no Kubernetes namer of its own, binds {@code
 * /#/io.l5d.k8s/...} through the control plane and routes to the service's endpoints as they move.
 */
class K8sFollowerTest {
  @TempDir Path dir;
  @RegisterExtension final Cleanup cleanup = new Cleanup();

  @Test
  void aFollowerReachesAKubernetesNamedServiceThroughItsControlPlane() throws Exception {
    Backend a = cleanup.add(Backend.named("a"));
    Backend b = cleanup.add(Backend.named("b"));
    K8sStandIn kube = cleanup.add(K8sStandIn.start());
    kube.endpointsOnPorts("prod", "users", "http", "127.0.0.1", a.port());
    K8sNamer k8s =
        cleanup.add(K8sNamer.plain("127.0.0.1", kube.port(), K8sNamer.DEFAULT_PREFIX, Optional.empty(), Clock.systemUTC()));
    ApiServer controlPlane =
        cleanup.add(
            new ApiServer(
                JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir.resolve("data"))).passwordIterations(2).open(),
                new Interpreter(List.of(new Interpreter.Mount(K8sNamer.DEFAULT_PREFIX, k8s)))));
    controlPlane.write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /#/io.l5d.k8s/prod/http;");
    ControlPlaneNamer remote =
        cleanup.add(new ControlPlaneNamer(List.of("127.0.0.1:" + controlPlane.port()), "default", Optional.empty()));
    Fixture follower =
        cleanup.add(
            new Fixture(
                Fixture.router("/svc => /#/io.l5d.k8s/prod/http;"),
                new Interpreter(List.of(new Interpreter.Mount(ControlPlaneNamer.PREFIX, remote)))));

    Fixture.await(() -> follower.get("users", "/").body().equals("a"), Duration.ofSeconds(15));
    assertThat(a.lastHeaders).containsEntry("l5d-dst-client", "/#/io.l5d.k8s/prod/http/users");

    kube.endpointsOnPorts("prod", "users", "http", "127.0.0.1", b.port());
    Fixture.await(() -> follower.get("users", "/").body().equals("b"), Duration.ofSeconds(10));
  }
}
