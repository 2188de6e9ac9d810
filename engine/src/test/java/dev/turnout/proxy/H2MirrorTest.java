package dev.turnout.proxy;

import static dev.turnout.proxy.GrpcEcho.bytes;
import static dev.turnout.proxy.GrpcEcho.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.ConfigLoader;
import dev.turnout.config.RouterConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.metrics.TrafficStats;
import dev.turnout.naming.Interpreter;
import dev.turnout.proxy.upstream.ShadowStream;
import dev.turnout.routing.DtabSource;
import dev.turnout.testing.Await;
import dev.turnout.testing.Cleanup;
import dev.turnout.testing.TestCerts;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dark traffic from an h2 router: a {@code #@mirror} rule copies gRPC calls, by HTTP/2, to a shadow
 * that is a real grpc-java server, streamed bodies and metadata included, while the real calls go on
 * unchanged whatever the shadow does.
 */
class H2MirrorTest {
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;
  final ProxyMetrics metrics = new ProxyMetrics(System::nanoTime, Clock.systemUTC());
  long timeoutMs = 5000;

  int proxy(String dtab) {
    return proxy(dtab, "");
  }

  int proxy(String dtab, String more) {
    String yaml =
        "routers:\n- protocol: h2\n  label: grpc\n  requestTimeoutMs: " + timeoutMs + "\n  servers: [{port: 0}]\n  dtab: |\n    "
            + dtab.replace("\n", "\n    ") + "\n" + more;
    List<RouterConfig> routers = ConfigLoader.parse(yaml, dir, dir.resolve("data")).routers();
    RunningProxy running =
        cleanup.add(ProxyServer.start(routers, new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()), metrics));
    return running.port("grpc");
  }

  GrpcEcho backend(String name) throws Exception {
    return cleanup.add(new GrpcEcho(name));
  }

  ManagedChannel channel(int port) {
    ManagedChannel c = GrpcEcho.channel(port, "users");
    cleanup.add(() -> c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return c;
  }

  static String mirrored(int primary, int shadow) {
    return "/svc/users => /$/inet/127.0.0.1/" + primary + ";\n#@mirror /svc/users => /$/inet/127.0.0.1/" + shadow + " 100%";
  }

  TrafficStats shadowStats() {
    return metrics.shadow("grpc", "/svc/users");
  }

  @Test
  void everyShapeOfCallIsCopiedToTheShadowWithItsMetadataAndBody() throws Exception {
    GrpcEcho users = backend("users");
    GrpcEcho shadow = backend("shadow");
    Metadata sent = new Metadata();
    sent.put(GrpcEcho.ECHO, "from-the-caller");
    Channel ch =
        ClientInterceptors.intercept(channel(proxy(mirrored(users.port(), shadow.port()))),
            MetadataUtils.newAttachHeadersInterceptor(sent));

    byte[] unary = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("hi"));
    List<String> streamed = new ArrayList<>();
    ClientCalls.blockingServerStreamingCall(ch, GrpcEcho.SERVER_STREAM, CallOptions.DEFAULT, bytes("20"))
        .forEachRemaining(b -> streamed.add(text(b)));
    CompletableFuture<String> counted = new CompletableFuture<>();
    StreamObserver<byte[]> up =
        ClientCalls.asyncClientStreamingCall(
            ch.newCall(GrpcEcho.CLIENT_STREAM, CallOptions.DEFAULT), H2RouterTest.observer(counted));
    for (int i = 0; i < 100; i++) {
      up.onNext(new byte[1000]);
    }
    up.onCompleted();
    String clientStream = counted.get(10, TimeUnit.SECONDS);
    CompletableFuture<String> bidiDone = new CompletableFuture<>();
    List<String> echoed = new ArrayList<>();
    StreamObserver<byte[]> bidi =
        ClientCalls.asyncBidiStreamingCall(ch.newCall(GrpcEcho.BIDI, CallOptions.DEFAULT), H2RouterTest.collect(echoed, bidiDone));
    for (int i = 0; i < 10; i++) {
      bidi.onNext(bytes("m" + i));
    }
    bidi.onCompleted();
    bidiDone.get(10, TimeUnit.SECONDS);

    assertThat(text(unary)).isEqualTo("users:hi");
    assertThat(streamed).hasSize(20).startsWith("users:0");
    assertThat(clientStream).isEqualTo("users:100:100000");
    assertThat(echoed).hasSize(10).startsWith("users:m0");
    Await.until("the shadow's four copies ended", Duration.ofSeconds(10), () -> shadowStats().requests() == 4);
    assertThat(shadowStats().failuresByClass()).isEmpty();
    assertThat(shadow.calls.get()).isEqualTo(4);
    assertThat(shadow.lastEcho).isEqualTo("from-the-caller");
    assertThat(shadow.lastDstService).isEqualTo("/svc/users");
    assertThat(shadow.lastCounted).isEqualTo("100:100000");
    assertThat(shadow.bidiMessages.get()).isEqualTo(10);
    assertThat(shadowStats().successes()).isEqualTo(4);
    assertThat(users.calls.get()).isEqualTo(4);
    assertThat(metrics.shadowSkippedCount("grpc")).isZero();
  }

  @Test
  void aShadowsGrpcFailureIsCountedAsItsStatusAndTheRealCallSucceeds() throws Exception {
    GrpcEcho users = backend("users");
    GrpcEcho shadow = backend("shadow");
    ManagedChannel ch = channel(proxy(
        "/svc/users => /$/inet/127.0.0.1/" + users.port() + ";\n"
            + "#@mirror /svc/users => /$/inet/127.0.0.1/" + shadow.port() + " 100%"));

    // the shadow answers its copy NOT_FOUND, as the real backend answers the real call
    assertThat(
        org.assertj.core.api.Assertions.catchThrowable(
            () -> ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("status:5:gone"))))
        .hasMessageContaining("NOT_FOUND");

    Await.until("the copy ended", Duration.ofSeconds(10), () -> shadowStats().requests() == 1);
    assertThat(shadowStats().failuresByClass()).containsEntry("grpc-5", 1L);
  }

  @Test
  void aShadowThatIsDownChangesNothingForTheRealCalls() throws Exception {
    GrpcEcho users = backend("users");
    int down;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      down = s.getLocalPort();
    }
    ManagedChannel ch = channel(proxy(mirrored(users.port(), down)));

    for (int i = 0; i < 5; i++) {
      assertThat(text(ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("u" + i))))
          .isEqualTo("users:u" + i);
    }
    CompletableFuture<String> counted = new CompletableFuture<>();
    StreamObserver<byte[]> up =
        ClientCalls.asyncClientStreamingCall(
            ch.newCall(GrpcEcho.CLIENT_STREAM, CallOptions.DEFAULT), H2RouterTest.observer(counted));
    for (int i = 0; i < 50; i++) {
      up.onNext(new byte[10_000]);
    }
    up.onCompleted();

    assertThat(counted.get(10, TimeUnit.SECONDS)).isEqualTo("users:50:500000");
    Await.until("six failed copies", Duration.ofSeconds(10), () -> shadowStats().failures() == 6);
    assertThat(shadowStats().failuresByClass()).containsEntry("connect", 6L);
    assertThat(shadowStats().inFlight()).isZero();
  }

  @Test
  void aShadowSlowerThanTheRealCallIsDroppedAndCountedWhileTheCallGoesOn() throws Exception {
    GrpcEcho users = backend("users");
    // connections are taken by the kernel but nobody reads: HTTP/2's first window (64 KiB) fills and
    // the copy holds the rest until its bound
    ServerSocket stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    cleanup.add(stalled::close);
    ManagedChannel ch = channel(proxy(mirrored(users.port(), stalled.getLocalPort())));
    int messages = 64;
    int size = 32 * 1024;

    long t0 = System.nanoTime();
    CompletableFuture<String> counted = new CompletableFuture<>();
    StreamObserver<byte[]> up =
        ClientCalls.asyncClientStreamingCall(
            ch.newCall(GrpcEcho.CLIENT_STREAM, CallOptions.DEFAULT), H2RouterTest.observer(counted));
    for (int i = 0; i < messages; i++) {
      up.onNext(new byte[size]);
    }
    up.onCompleted();

    assertThat(counted.get(20, TimeUnit.SECONDS)).isEqualTo("users:" + messages + ":" + messages * size);
    System.out.println("2 MiB client stream with a stalled shadow: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertThat(messages * size).isGreaterThan(4 * ShadowStream.MAX_HELD_BYTES);
    Await.until("the copy ended", Duration.ofSeconds(10), () -> shadowStats().requests() == 1);
    assertThat(shadowStats().failuresByClass()).containsOnlyKeys(ShadowStream.SLOW);
    assertThat(metrics.shadowDroppedCount("grpc")).isEqualTo(1);
    assertThat(shadowStats().failuresByClass()).containsEntry(ShadowStream.SLOW, 1L);
    assertThat(shadowStats().inFlight()).isZero();
  }

  @Test
  void aShadowBehindTheClientsTlsGetsItsCopyOverTlsWithAlpnH2() throws Exception {
    TestCerts.Issued ca = TestCerts.ca("shadow test CA");
    Path caPem = ca.writeCert(dir.resolve("ca.pem"));
    TestCerts.Issued leaf = TestCerts.leaf(ca, "backend.example.org");
    java.io.File cert = leaf.writeCert(dir.resolve("backend.pem")).toFile();
    java.io.File key = leaf.writeKey(dir.resolve("backend.key")).toFile();
    GrpcEcho users = cleanup.add(new GrpcEcho("users", cert, key));
    GrpcEcho shadow = cleanup.add(new GrpcEcho("shadow", cert, key));
    ManagedChannel ch = channel(proxy(mirrored(users.port(), shadow.port()),
        "  client: {tls: {commonName: backend.example.org, trustCerts: [" + caPem + "]}}\n"));

    byte[] answer = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("secret"));

    assertThat(text(answer)).isEqualTo("users:secret");
    Await.until("the copy ended", Duration.ofSeconds(10), () -> shadowStats().requests() == 1);
    assertThat(shadowStats().successes()).isEqualTo(1);
    assertThat(shadow.calls.get()).isEqualTo(1);
  }

  @Test
  void theCopyOfACallWhoseCallerNeverEndsItIsResetNotEnded() throws Exception {
    GrpcEcho users = backend("users");
    GrpcEcho shadow = backend("shadow");
    timeoutMs = 1000;
    int port = proxy(mirrored(users.port(), shadow.port()));

    try (H2Wire w = new H2Wire(port)) {
      w.grpcHead(1, "users", "/test.Echo/Unary"); // then nothing: the router answers at its timeout
      w.readUntil(f -> f.stream() == 1 && f.type() == H2Wire.RST_STREAM);
    }

    // the copy is not given an END_STREAM the caller never sent (grpc-java would answer it INTERNAL)
    Await.until("the copy ended", Duration.ofSeconds(10), () -> shadowStats().requests() == 1);
    assertThat(shadowStats().failuresByClass()).containsOnlyKeys("body unread");
    assertThat(shadow.calls.get()).isZero();
  }
}
