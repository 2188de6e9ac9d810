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

  /** A proxy of one h2 router "grpc" (its other keys in {@code more}) on a free port. */
  int proxy(String dtab, String more) {
    String yaml =
        "routers:\n- protocol: h2\n  label: grpc\n  servers: [{port: 0}]\n  dtab: |\n    "
            + dtab.replace("\n", "\n    ") + "\n" + more;
    List<RouterConfig> routers = ConfigLoader.parse(yaml, dir, dir.resolve("data")).routers();
    RunningProxy p =
        cleanup.add(ProxyServer.start(routers, new Interpreter(List.of()), r -> DtabSource.fixed(r.dtab()), metrics));
    return p.port("grpc");
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
        ClientCalls.asyncBidiStreamingCall(ch.newCall(GrpcEcho.BIDI, CallOptions.DEFAULT), new StreamObserver<>() {
          @Override
          public void onNext(byte[] value) {
            synchronized (echoed) {
              echoed.add(text(value));
            }
          }

          @Override
          public void onError(Throwable t) {
            bidiDone.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            bidiDone.complete("done");
          }
        });
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

    byte[] ok = ClientCalls.blockingUnaryCall(withMetadata, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("x"));
    assertThat(text(ok)).isEqualTo("users:x");
    assertThat(headers.get().get(GrpcEcho.ECHO)).isEqualTo("ping");
    assertThat(trailers.get().get(GrpcEcho.TRAILER)).isEqualTo("users");

    // a failure answered trailers-only by grpc-java: status and message as the backend wrote them
    assertThatThrownBy(
            () -> ClientCalls.blockingUnaryCall(withMetadata, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("status:5:no such user ü")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).isEqualTo("no such user ü");
        });
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
}
