package dev.turnout.proxy;

import static dev.turnout.proxy.GrpcEcho.bytes;
import static dev.turnout.proxy.GrpcEcho.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ConfigLoader;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.testing.Cleanup;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linkerd's context headers on an h2 router, as gRPC metadata: the {@code l5d-dst-*} headers a backend
 * gets, and the dtab a caller sends ({@code l5d-dtab}) or a linker before it passed on ({@code
 * l5d-ctx-dtab}), which routes the call and goes on as {@code l5d-ctx-dtab}.
 */
class H2HeadersTest {
  static final Metadata.Key<String> DST_CLIENT = key("l5d-dst-client");
  static final Metadata.Key<String> DST_RESIDUAL = key("l5d-dst-residual");
  static final Metadata.Key<String> CTX_DTAB = key("l5d-ctx-dtab");
  static final Metadata.Key<String> DTAB = key("l5d-dtab");
  static final Metadata.Key<String> REQID = key("l5d-reqid");

  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;
  final ProxyMetrics metrics = new ProxyMetrics(System::nanoTime, Clock.systemUTC());

  static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  ManagedChannel proxy(String dtab) {
    String yaml = "routers:\n- protocol: h2\n  label: grpc\n  servers: [{port: 0}]\n  dtab: '" + dtab + "'\n";
    RunningProxy running = cleanup.add(ProxyServer.start(ConfigLoader.parse(yaml, dir, dir.resolve("data")).routers(),
        new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()), metrics));
    ManagedChannel c = GrpcEcho.channel(running.port("grpc"), "users");
    cleanup.add(() -> c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return c;
  }

  static Channel with(Channel ch, Metadata.Key<String> key, String value) {
    Metadata m = new Metadata();
    m.put(key, value);
    return ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(m));
  }

  @Test
  void theBackendGetsTheDestinationHeadersWithTheResidual() throws Exception {
    GrpcEcho users = cleanup.add(new GrpcEcho("users"));
    ManagedChannel ch = proxy("/svc => /$/inet/127.0.0.1/" + users.port() + ";");

    ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("x"));

    Metadata got = users.lastHeaders;
    assertThat(got.get(GrpcEcho.DST_SERVICE)).isEqualTo("/svc/users");
    assertThat(got.get(DST_CLIENT)).isEqualTo("/$/inet/127.0.0.1/" + users.port());
    assertThat(got.get(DST_RESIDUAL)).isEqualTo("/users");
    assertThat(got.get(REQID)).isNotBlank();
    assertThat(got.get(CTX_DTAB)).isNull();
  }

  @Test
  void anL5dDtabOverrideRoutesTheCallAndGoesOnAsL5dCtxDtab() throws Exception {
    GrpcEcho stable = cleanup.add(new GrpcEcho("stable"));
    GrpcEcho canary = cleanup.add(new GrpcEcho("canary"));
    ManagedChannel ch = proxy("/svc/users => /$/inet/127.0.0.1/" + stable.port() + ";");
    String override = "/svc/users=>/$/inet/127.0.0.1/" + canary.port();

    byte[] answer = ClientCalls.blockingUnaryCall(with(ch, DTAB, override), GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("x"));

    assertThat(text(answer)).isEqualTo("canary:x");
    assertThat(canary.lastHeaders.get(CTX_DTAB)).isEqualTo("/svc/users=>/$/inet/127.0.0.1/" + canary.port());
    assertThat(canary.lastHeaders.get(DTAB)).isNull();
  }

  @Test
  void anL5dCtxDtabFromAnEarlierLinkerRoutesTheCallAndGoesOn() throws Exception {
    GrpcEcho stable = cleanup.add(new GrpcEcho("stable"));
    GrpcEcho canary = cleanup.add(new GrpcEcho("canary"));
    ManagedChannel ch = proxy("/svc/users => /$/inet/127.0.0.1/" + stable.port() + ";");
    String context = "/svc/users=>/$/inet/127.0.0.1/" + canary.port();

    byte[] answer = ClientCalls.blockingUnaryCall(with(ch, CTX_DTAB, context), GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("x"));

    assertThat(text(answer)).isEqualTo("canary:x");
    assertThat(canary.lastHeaders.get(CTX_DTAB)).isEqualTo(context);
  }
}
