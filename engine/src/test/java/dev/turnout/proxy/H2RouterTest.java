package dev.turnout.proxy;

import static dev.turnout.proxy.GrpcEcho.bytes;
import static dev.turnout.proxy.GrpcEcho.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.ConfigLoader;
import dev.turnout.config.RouterConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import dev.turnout.testing.Await;
import dev.turnout.testing.Cleanup;
import dev.turnout.testing.TestCerts;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An h2 router between real grpc-java clients and servers, configured as Linkerd 1's are: h2c with
 * prior knowledge, named by {@code :authority} (the default) or by {@code :path}, bound by the dtab.
 */
class H2RouterTest {
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;
  final ProxyMetrics metrics = new ProxyMetrics(System::nanoTime, Clock.systemUTC());
  RunningProxy running;

  /** A proxy of one h2 router "grpc" (its other keys in {@code more}) on a free port. */
  int proxy(String dtab, String more) {
    String yaml =
        "routers:\n- protocol: h2\n  label: grpc\n  servers: [{port: 0}]\n  dtab: |\n    "
            + dtab.replace("\n", "\n    ") + "\n" + more;
    List<RouterConfig> routers = ConfigLoader.parse(yaml, dir, dir.resolve("data")).routers();
    running =
        cleanup.add(ProxyServer.start(routers, new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()), metrics));
    return running.port("grpc");
  }

  GrpcEcho backend(String name) throws Exception {
    return cleanup.add(new GrpcEcho(name));
  }

  ManagedChannel channel(int port, String authority) {
    ManagedChannel c = GrpcEcho.channel(port, authority);
    cleanup.add(() -> c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return c;
  }

  static String inet(GrpcEcho b) {
    return "/$/inet/127.0.0.1/" + b.port();
  }

  @Test
  void aUnaryCallReachesTheBackendTheAuthorityNames() throws Exception {
    GrpcEcho users = backend("users");
    int port = proxy("/svc/users => " + inet(users) + ";", "");

    byte[] answer = ClientCalls.blockingUnaryCall(channel(port, "users"), GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("hi"));

    assertThat(text(answer)).isEqualTo("users:hi");
    assertThat(users.lastDstService).isEqualTo("/svc/users");
  }

  @Test
  void everyShapeOfCallGoesThroughWithItsMessagesAndTrailers() throws Exception {
    GrpcEcho users = backend("users");
    ManagedChannel ch = channel(proxy("/svc/users => " + inet(users) + ";", ""), "users");

    Iterator<byte[]> stream = ClientCalls.blockingServerStreamingCall(ch, GrpcEcho.SERVER_STREAM, CallOptions.DEFAULT, bytes("50"));
    List<String> got = new ArrayList<>();
    stream.forEachRemaining(b -> got.add(text(b)));
    assertThat(got).hasSize(50).startsWith("users:0").endsWith("users:49");

    CompletableFuture<String> counted = new CompletableFuture<>();
    StreamObserver<byte[]> up =
        ClientCalls.asyncClientStreamingCall(ch.newCall(GrpcEcho.CLIENT_STREAM, CallOptions.DEFAULT), observer(counted));
    for (int i = 0; i < 100; i++) {
      up.onNext(new byte[1000]);
    }
    up.onCompleted();
    assertThat(counted.get(10, TimeUnit.SECONDS)).isEqualTo("users:100:100000");

    List<String> echoed = new ArrayList<>();
    CompletableFuture<String> bidiDone = new CompletableFuture<>();
    StreamObserver<byte[]> bidi =
        ClientCalls.asyncBidiStreamingCall(ch.newCall(GrpcEcho.BIDI, CallOptions.DEFAULT), collect(echoed, bidiDone));
    for (int i = 0; i < 10; i++) {
      bidi.onNext(bytes("m" + i));
    }
    bidi.onCompleted();
    assertThat(bidiDone.get(10, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(echoed).containsExactly(
        "users:m0", "users:m1", "users:m2", "users:m3", "users:m4", "users:m5", "users:m6", "users:m7", "users:m8", "users:m9");
  }

  @Test
  void statusMessageMetadataAndTrailersAreRelayedUntouched() throws Exception {
    GrpcEcho users = backend("users");
    ManagedChannel ch = channel(proxy("/svc/users => " + inet(users) + ";", ""), "users");
    Metadata sent = new Metadata();
    sent.put(GrpcEcho.ECHO, "ping");
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var withMetadata =
        ClientInterceptors.intercept(
            ch, MetadataUtils.newAttachHeadersInterceptor(sent), MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

    long t0 = System.nanoTime();
    byte[] ok = ClientCalls.blockingUnaryCall(withMetadata, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("x"));
    System.out.println("first call " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertThat(text(ok)).isEqualTo("users:x");
    assertThat(headers.get().get(GrpcEcho.ECHO)).isEqualTo("ping");
    assertThat(trailers.get().get(GrpcEcho.TRAILER)).isEqualTo("users");

    // a failure answered trailers-only by grpc-java: status and message as the backend wrote them
    long t1 = System.nanoTime();
    assertThatThrownBy(
            () -> ClientCalls.blockingUnaryCall(withMetadata, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("status:5:no such user ü")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).isEqualTo("no such user ü");
        });
    System.out.println("failed call " + (System.nanoTime() - t1) / 1_000_000 + " ms");
    assertThat(trailers.get().get(GrpcEcho.TRAILER)).isEqualTo("users");
  }

  @Test
  void aCallNoDtabRouteBindsIsUnavailableWithTheReason() throws Exception {
    ManagedChannel ch = channel(proxy("/svc/users => /$/inet/127.0.0.1/1;", ""), "nobody");
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var capturing = ClientInterceptors.intercept(ch, MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(capturing, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("x")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("/svc/nobody");
        });
    assertThat(trailers.get().get(GrpcEcho.L5D_ERR)).contains("svc%2Fnobody");
  }

  @Test
  void theGrpcPathNamesTheServiceWithIoL5dHeaderPath() throws Exception {
    GrpcEcho echo = backend("echo");
    int port = proxy("/svc/test.Echo => " + inet(echo) + ";", "  identifier: {kind: io.l5d.header.path, segments: 1}\n");

    byte[] answer = ClientCalls.blockingUnaryCall(channel(port, "anything"), GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("p"));

    assertThat(text(answer)).isEqualTo("echo:p");
    assertThat(echo.lastDstService).isEqualTo("/svc/test.Echo");
  }

  @Test
  void aWeightedUnionSplitsCallsByWeight() throws Exception {
    GrpcEcho stable = backend("stable");
    GrpcEcho canary = backend("canary");
    ManagedChannel ch = channel(
        proxy("/svc/users => 9 * " + inet(stable) + " & 1 * " + inet(canary) + ";", ""), "users");

    int calls = 400;
    for (int i = 0; i < calls; i++) {
      ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("w"));
    }

    System.out.println("split: stable " + stable.calls.get() + ", canary " + canary.calls.get() + " of " + calls);
    assertThat(stable.calls.get() + canary.calls.get()).isEqualTo(calls);
    assertThat(canary.calls.get()).isBetween(15, 70);
  }

  @Test
  void aDeadFirstAlternativeFailsOverToTheNext() throws Exception {
    GrpcEcho backup = backend("backup");
    int dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    ManagedChannel ch = channel(
        proxy("/svc/users => /$/inet/127.0.0.1/" + dead + " | " + inet(backup) + ";", ""), "users");

    byte[] answer = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("f"));

    assertThat(text(answer)).isEqualTo("backup:f");
  }

  @Test
  void l5dDtabMetadataSteersOneCall() throws Exception {
    GrpcEcho stable = backend("stable");
    GrpcEcho canary = backend("canary");
    ManagedChannel ch = channel(
        proxy("/svc/users => " + inet(stable) + ";\n/svc/users-canary => " + inet(canary) + ";", ""), "users");
    Metadata steer = new Metadata();
    steer.put(GrpcEcho.L5D_DTAB, "/svc/users => /svc/users-canary");

    byte[] steered = ClientCalls.blockingUnaryCall(
        ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(steer)), GrpcEcho.UNARY,
        CallOptions.DEFAULT, bytes("s"));
    byte[] plain = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("s"));

    assertThat(text(steered)).isEqualTo("canary:s");
    assertThat(text(plain)).isEqualTo("stable:s");
  }

  @Test
  void aMessageOfManyWindowsGoesBothWays() throws Exception {
    // 256 KiB, four times a stream's first window
    GrpcEcho users = backend("users");
    ManagedChannel ch = channel(proxy("/svc/users => " + inet(users) + ";", ""), "users");
    byte[] big = new byte[256 * 1024];
    new java.util.Random(7).nextBytes(big);

    long t0 = System.nanoTime();
    byte[] answer = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, big);
    System.out.println("256 KiB round trip " + (System.nanoTime() - t0) / 1_000_000 + " ms");

    assertThat(answer).hasSize(big.length + "users:".length());
    assertThat(java.util.Arrays.copyOfRange(answer, "users:".length(), answer.length)).isEqualTo(big);
  }

  @Test
  void fourMebibyteMessagesGoBothWaysUnaryAndStreaming() throws Exception {
    GrpcEcho users = backend("users");
    ManagedChannel ch = channel(proxy("/svc/users => " + inet(users) + ";", ""), "users");
    byte[] big = new byte[4 * 1024 * 1024];
    new java.util.Random(11).nextBytes(big);

    long t0 = System.nanoTime();
    byte[] answer = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, big);
    System.out.println("4 MiB unary round trip " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertThat(answer).hasSize(big.length + "users:".length());
    assertThat(java.util.Arrays.copyOfRange(answer, "users:".length(), answer.length)).isEqualTo(big);

    List<byte[]> echoed = new ArrayList<>();
    CompletableFuture<String> done = new CompletableFuture<>();
    long t1 = System.nanoTime();
    StreamObserver<byte[]> bidi =
        ClientCalls.asyncBidiStreamingCall(ch.newCall(GrpcEcho.BIDI_BYTES, CallOptions.DEFAULT), new StreamObserver<>() {
          @Override
          public void onNext(byte[] value) {
            synchronized (echoed) {
              echoed.add(value);
            }
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete("done");
          }
        });
    for (int i = 0; i < 3; i++) {
      bidi.onNext(big);
    }
    bidi.onCompleted();
    assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo("done");
    System.out.println("3 x 4 MiB streamed both ways " + (System.nanoTime() - t1) / 1_000_000 + " ms");
    assertThat(echoed).hasSize(3).allSatisfy(m -> assertThat(m).isEqualTo(big));
  }

  @Test
  void manyConcurrentStreamsShareOneUpstreamConnection() throws Exception {
    GrpcEcho users = backend("users");
    int port = proxy("/svc/users => " + inet(users) + ";", "");
    ManagedChannel ch = channel(port, "users");
    ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("warm"));

    int streams = 200;
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      CompletableFuture<String> f = new CompletableFuture<>();
      ClientCalls.asyncUnaryCall(ch.newCall(GrpcEcho.UNARY, CallOptions.DEFAULT), bytes("c" + i), observer(f));
      answers.add(f);
    }
    for (int i = 0; i < streams; i++) {
      assertThat(answers.get(i).get(20, TimeUnit.SECONDS)).isEqualTo("users:c" + i);
    }

    // one caller connection lands on one IO thread, which keeps one connection to the endpoint
    assertThat(running.pools().h2Open()).isEqualTo(1);
  }

  @Test
  void theCallersDeadlineEndsAWaitingCallAndCancelsItUpstream() throws Exception {
    GrpcEcho users = backend("users");
    ManagedChannel ch = channel(proxy("/svc/users => " + inet(users) + ";", ""), "users");

    long t0 = System.nanoTime();
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, GrpcEcho.within(300), bytes("hang")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    long ms = (System.nanoTime() - t0) / 1_000_000;

    Await.until("the backend saw the call cancelled", Duration.ofSeconds(5), () -> users.cancelled.get() == 1);
    System.out.println("deadline 300 ms: failed after " + ms + " ms");
    assertThat(ms).isLessThan(3000);
  }

  @Test
  void aCancelledStreamIsCancelledAtTheBackend() throws Exception {
    GrpcEcho users = backend("users");
    ManagedChannel ch = channel(proxy("/svc/users => " + inet(users) + ";", ""), "users");
    io.grpc.ClientCall<byte[], byte[]> call = ch.newCall(GrpcEcho.BIDI, CallOptions.DEFAULT);
    CompletableFuture<String> first = new CompletableFuture<>();
    StreamObserver<byte[]> up = ClientCalls.asyncBidiStreamingCall(call, observer(first));
    up.onNext(bytes("one"));
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("users:one");

    call.cancel("the caller gives up", null);

    Await.until("the backend saw the stream cancelled", Duration.ofSeconds(5), () -> users.cancelled.get() == 1);
  }

  @Test
  void aBackendKilledMidStreamEndsTheCallUnavailable() throws Exception {
    GrpcEcho users = backend("users");
    ManagedChannel ch = channel(proxy("/svc/users => " + inet(users) + ";", ""), "users");
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<Status> ended = new CompletableFuture<>();
    StreamObserver<byte[]> up =
        ClientCalls.asyncBidiStreamingCall(ch.newCall(GrpcEcho.BIDI, CallOptions.DEFAULT), new StreamObserver<>() {
          @Override
          public void onNext(byte[] value) {
            first.complete(text(value));
          }

          @Override
          public void onError(Throwable t) {
            ended.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            ended.complete(Status.OK);
          }
        });
    up.onNext(bytes("one"));
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("users:one");

    users.server.shutdownNow();

    Status status = ended.get(10, TimeUnit.SECONDS);
    System.out.println("backend killed mid-stream: the caller got " + status);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).contains("backend");
  }

  @Test
  void successRateCountsGrpcStatusNotTheHttpStatus() throws Exception {
    GrpcEcho users = backend("users");
    ManagedChannel ch = channel(proxy("/svc/users => " + inet(users) + ";", ""), "users");
    CompletableFuture<String> done = new CompletableFuture<>();
    StreamObserver<byte[]> up =
        ClientCalls.asyncClientStreamingCall(ch.newCall(GrpcEcho.CLIENT_STREAM, CallOptions.DEFAULT), observer(done));
    up.onNext(bytes("a"));
    up.onCompleted();
    done.get(10, TimeUnit.SECONDS);
    ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("ok"));
    for (int i = 0; i < 3; i++) {
      int code = i == 0 ? 5 : 13;
      assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("status:" + code + ":x")))
          .isInstanceOf(StatusRuntimeException.class);
    }

    Await.until("five calls counted", Duration.ofSeconds(5),
        () -> metrics.flat().getOrDefault("rt/grpc/service/svc/users/requests", 0L).longValue() == 5);
    System.out.println(metrics.flat().entrySet().stream().filter(e -> e.getKey().startsWith("rt/grpc/service/")).toList());
    assertThat(metrics.flat())
        .containsEntry("rt/grpc/service/svc/users/success", 2L)
        .containsEntry("rt/grpc/service/svc/users/failures", 3L);
  }

  @Test
  void overTlsCallersAndBackendsAgreeOnH2ByAlpn() throws Exception {
    TestCerts.Issued ca = TestCerts.ca("h2 test CA");
    Path caPem = ca.writeCert(dir.resolve("ca.pem"));
    TestCerts.Issued proxyLeaf = TestCerts.leaf(ca, "proxy.example.org", "users");
    TestCerts.Issued backendLeaf = TestCerts.leaf(ca, "backend.example.org");
    GrpcEcho users = cleanup.add(new GrpcEcho("users",
        backendLeaf.writeCert(dir.resolve("backend.pem")).toFile(), backendLeaf.writeKey(dir.resolve("backend.key")).toFile()));
    String yaml = "routers:\n- protocol: h2\n  label: tls\n  dtab: '/svc/users => " + inet(users) + ";'\n"
        + "  servers: [{port: 0, tls: {certPath: " + proxyLeaf.writeCert(dir.resolve("proxy.pem"))
        + ", keyPath: " + proxyLeaf.writeKey(dir.resolve("proxy.key")) + "}}]\n"
        + "  client: {tls: {commonName: backend.example.org, trustCerts: [" + caPem + "]}}\n";
    RunningProxy tls = cleanup.add(ProxyServer.start(ConfigLoader.parse(yaml, dir, dir.resolve("data")).routers(),
        new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()), metrics));
    ManagedChannel ch = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", tls.port("tls"))
        .sslContext(io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient().trustManager(caPem.toFile()).build())
        .overrideAuthority("users")
        .build();
    cleanup.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));

    byte[] answer = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("secret"));

    assertThat(text(answer)).isEqualTo("users:secret");
  }

  @Test
  void h2AccessLogWritesALinePerCall() throws Exception {
    GrpcEcho users = backend("users");
    Path log = dir.resolve("h2-access.log");
    ManagedChannel ch = channel(proxy("/svc/users => " + inet(users) + ";", "  h2AccessLog: " + log + "\n"), "users");

    ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("logged"));
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("status:5:gone")));
    ManagedChannel unrouted = channel(running.port("grpc"), "nobody");
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(unrouted, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("x")));

    Await.until("the calls are logged", Duration.ofSeconds(5),
        () -> readQuietly(log).lines().count() == 3);
    System.out.println("h2 access log lines:\n" + readQuietly(log).strip());
    List<String> lines = readQuietly(log).lines().toList();
    assertThat(lines).anySatisfy(l ->
        assertThat(l).startsWith("users ").contains("\"POST /test.Echo/Unary HTTP/2.0\" 200").endsWith(" grpc-status=0"));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("users ").contains("\" 200 ").endsWith(" grpc-status=5"));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("nobody ").contains("\" 200 ").endsWith(" grpc-status=14"));
  }

  static String readQuietly(Path p) {
    try {
      return java.nio.file.Files.readString(p);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  static StreamObserver<byte[]> observer(CompletableFuture<String> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] value) {
        done.complete(text(value));
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }

  /** Collects each message's text into {@code into} (guarded by it); completes {@code done} at the end. */
  static StreamObserver<byte[]> collect(List<String> into, CompletableFuture<String> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] value) {
        synchronized (into) {
          into.add(text(value));
        }
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete("done");
      }
    };
  }
}
