package dev.turnout.proxy;

import static dev.turnout.proxy.GrpcEcho.bytes;
import static dev.turnout.proxy.GrpcEcho.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.ConfigLoader;
import dev.turnout.config.RouterConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.FsNamer;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An h2 router's upstream streams that the backend did not process: refused ({@code RST_STREAM
 * REFUSED_STREAM}) or past its {@code GOAWAY}'s last stream, sent again to another endpoint of the same
 * name, gRPC calls with streamed bodies too; other resets relayed, not retried; and the backend's
 * stream limit waited behind rather than overrun. The refusing backends are {@link RawH2Backend}s; the
 * healthy one a grpc-java server.
 */
class H2RetryTest {
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;
  final ProxyMetrics metrics = new ProxyMetrics(System::nanoTime, Clock.systemUTC());
  RunningProxy running;

  /** A proxy of one h2 router "grpc" routing /svc/users to the io.l5d.fs name "users", which lists {@code ports}. */
  int proxy(String more, int... ports) throws Exception {
    Path disco = Files.createDirectories(dir.resolve("disco"));
    StringBuilder lines = new StringBuilder();
    for (int p : ports) {
      lines.append("127.0.0.1 ").append(p).append('\n');
    }
    Files.writeString(disco.resolve("users"), lines);
    FsNamer fs = cleanup.add(new FsNamer(disco, FsNamer.DEFAULT_PREFIX, Duration.ofMillis(50)));
    String yaml = "routers:\n- protocol: h2\n  label: grpc\n  servers: [{port: 0}]\n"
        + "  dtab: |\n    /svc => /#/io.l5d.fs;\n" + more;
    List<RouterConfig> routers = ConfigLoader.parse(yaml, dir, dir.resolve("data")).routers();
    running = cleanup.add(ProxyServer.start(routers, new Interpreter(List.of(new Interpreter.Mount(FsNamer.DEFAULT_PREFIX, fs))),
        r -> DtabSource.fixed(r.dtab()), metrics));
    return running.port("grpc");
  }

  ManagedChannel channel(int port) {
    ManagedChannel c = GrpcEcho.channel(port, "users");
    cleanup.add(() -> c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return c;
  }

  long counter(String name) {
    return metrics.flat().getOrDefault(name, 0L).longValue();
  }

  @Test
  void aRefusedStreamIsSentAgainToTheOtherEndpoint() throws Exception {
    RawH2Backend refusing = cleanup.add(new RawH2Backend(RawH2Backend.Mode.REFUSE));
    GrpcEcho users = cleanup.add(new GrpcEcho("users"));
    ManagedChannel ch = channel(proxy("", refusing.port(), users.port()));

    for (int i = 0; i < 20; i++) {
      byte[] answer = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("c" + i));
      assertThat(text(answer)).isEqualTo("users:c" + i);
    }

    // each call whose first pick was the refusing endpoint went on to the other, once
    int refused = refusing.streams.get();
    System.out.println("refused streams " + refused + " of 20 calls; " + metrics.flat().entrySet().stream()
        .filter(e -> e.getKey().contains("retries") || e.getKey().contains("refused")).toList());
    assertThat(refused).isBetween(1, 20);
    assertThat(users.calls.get()).isEqualTo(20);
    assertThat(counter("rt/grpc/service/svc/users/retries")).isEqualTo(refused);
  }

  @Test
  void aClientStreamRefusedAfterItsFirstMessageIsReplayedWhole() throws Exception {
    RawH2Backend refusing = cleanup.add(new RawH2Backend(RawH2Backend.Mode.REFUSE_AT_DATA));
    GrpcEcho users = cleanup.add(new GrpcEcho("users"));
    ManagedChannel ch = channel(proxy("", refusing.port(), users.port()));

    for (int i = 0; i < 12; i++) {
      CompletableFuture<String> counted = new CompletableFuture<>();
      StreamObserver<byte[]> up =
          ClientCalls.asyncClientStreamingCall(ch.newCall(GrpcEcho.CLIENT_STREAM, CallOptions.DEFAULT), H2RouterTest.observer(counted));
      up.onNext(new byte[1000]);
      up.onNext(new byte[2000]);
      up.onNext(new byte[3000]);
      up.onCompleted();
      assertThat(counted.get(10, TimeUnit.SECONDS)).isEqualTo("users:3:6000");
    }

    assertThat(refusing.streams.get()).isGreaterThan(0);
    assertThat(counter("rt/grpc/service/svc/users/retries")).isEqualTo(refusing.streams.get());
  }

  @Test
  void streamsPastAGoAwaysLastStreamAreSentAgain() throws Exception {
    RawH2Backend leaving = cleanup.add(new RawH2Backend(RawH2Backend.Mode.GOAWAY));
    GrpcEcho users = cleanup.add(new GrpcEcho("users"));
    ManagedChannel ch = channel(proxy("", leaving.port(), users.port()));

    for (int i = 0; i < 20; i++) {
      byte[] answer = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("g" + i));
      assertThat(text(answer)).isEqualTo("users:g" + i);
    }

    assertThat(leaving.streams.get()).isGreaterThan(0);
    assertThat(counter("rt/grpc/service/svc/users/retries")).isEqualTo(leaving.streams.get());
  }

  @Test
  void aGracefulShutdownFinishesTheCallInFlightAndSendsNewCallsToTheOtherEndpoint() throws Exception {
    GrpcEcho leaving = cleanup.add(new GrpcEcho("a"));
    GrpcEcho staying = cleanup.add(new GrpcEcho("b"));
    ManagedChannel ch = channel(proxy("", leaving.port(), staying.port()));

    // a bidirectional call open at the backend that will shut down
    Bidi onA = null;
    for (int i = 0; i < 60 && onA == null; i++) {
      Bidi call = new Bidi(ch);
      if (call.send("m0").equals("a:m0")) {
        onA = call;
      } else {
        call.finish();
      }
    }
    assertThat(onA).as("a call landed on backend a").isNotNull();

    // grpc-java's graceful shutdown: GOAWAY (last stream 2^31-1) and a PING, then GOAWAY with the real
    // last stream; the calls open go on
    leaving.server.shutdown();
    dev.turnout.testing.Await.until("the router saw a's GOAWAY", Duration.ofSeconds(10), () -> running.pools().h2GoneAway() == 1);
    assertThat(onA.send("m1")).isEqualTo("a:m1");

    // calls begun after the GOAWAY go to b (a's port is closed too: a new connection to a is refused)
    for (int i = 0; i < 10; i++) {
      byte[] answer = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("n" + i));
      assertThat(text(answer)).isEqualTo("b:n" + i);
    }

    assertThat(onA.send("m2")).isEqualTo("a:m2");
    assertThat(onA.finish()).containsExactly("a:m0", "a:m1", "a:m2");
    assertThat(onA.trailer()).isEqualTo("a");
    assertThat(leaving.server.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    dev.turnout.testing.Await.until("the gone-away connection closed", Duration.ofSeconds(10), () -> running.pools().h2GoneAway() == 0);
  }

  /** A bidirectional echo call, one message answered at a time. */
  static final class Bidi {
    private final java.util.concurrent.LinkedBlockingQueue<String> answers = new java.util.concurrent.LinkedBlockingQueue<>();
    private final List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AtomicReference<Metadata> trailers = new AtomicReference<>();
    private final StreamObserver<byte[]> up;

    Bidi(ManagedChannel ch) {
      var capturing = ClientInterceptors.intercept(ch, MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers));
      up = ClientCalls.asyncBidiStreamingCall(capturing.newCall(GrpcEcho.BIDI, CallOptions.DEFAULT), new StreamObserver<>() {
        @Override
        public void onNext(byte[] value) {
          all.add(text(value));
          answers.add(text(value));
        }

        @Override
        public void onError(Throwable t) {
          done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
          done.complete(null);
        }
      });
    }

    /** Sends {@code m}, and returns its echo. */
    String send(String m) throws Exception {
      up.onNext(bytes(m));
      String echo = answers.poll(10, TimeUnit.SECONDS);
      assertThat(echo).as("the echo of " + m).isNotNull();
      return echo;
    }

    /** Ends the call; every echo it got, once it ended OK. */
    List<String> finish() throws Exception {
      up.onCompleted();
      done.get(10, TimeUnit.SECONDS);
      return all;
    }

    String trailer() {
      return trailers.get().get(GrpcEcho.TRAILER);
    }
  }

  @Test
  void aStreamAtAGoAwaysLastStreamIsAnsweredWhole() throws Exception {
    RawH2Backend leaving = cleanup.add(new RawH2Backend(RawH2Backend.Mode.GOAWAY_THEN_ANSWER));
    ManagedChannel ch = channel(proxy("", leaving.port()));

    // each call: GOAWAY (last = its stream) comes before its answer, which is relayed whole; the
    // connection, gone away, takes no further stream: the next call opens another
    for (int i = 0; i < 3; i++) {
      byte[] answer = ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("w" + i));
      assertThat(text(answer)).isEqualTo(RawH2Backend.ANSWER);
    }

    assertThat(leaving.streams.get()).isEqualTo(3);
    assertThat(leaving.connections.get()).isEqualTo(3);
    assertThat(counter("rt/grpc/service/svc/users/retries")).isZero();
    // and each connection is closed once its one stream has ended
    dev.turnout.testing.Await.until("the gone-away connections closed", Duration.ofSeconds(10), () -> running.pools().h2Open() == 0);
  }

  @Test
  void aRefusedCallWhoseBodyWasTooLargeToKeepIsUnavailableNamingTheRefusal() throws Exception {
    RawH2Backend refusing = cleanup.add(new RawH2Backend(RawH2Backend.Mode.REFUSE_AFTER_80K));
    GrpcEcho users = cleanup.add(new GrpcEcho("users"));
    ManagedChannel ch = channel(proxy("", refusing.port()));
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var capturing = ClientInterceptors.intercept(ch, MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(capturing, GrpcEcho.UNARY, CallOptions.DEFAULT, new byte[200 * 1024]))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("REFUSED_STREAM").contains("64 KiB");
        });
    assertThat(trailers.get().get(GrpcEcho.L5D_ERR)).contains("REFUSED_STREAM");
    assertThat(refusing.streams.get()).isEqualTo(1);
    assertThat(counter("rt/grpc/service/svc/users/retries")).isZero();
    assertThat(users.calls.get()).isZero();
  }

  @Test
  void aStreamResetAfterItWasProcessedIsInternalAndNotRetried() throws Exception {
    RawH2Backend failing = cleanup.add(new RawH2Backend(RawH2Backend.Mode.RESET_INTERNAL));
    ManagedChannel ch = channel(proxy("", failing.port()));

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("x")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).contains("RST_STREAM INTERNAL_ERROR");
        });
    assertThat(failing.streams.get()).isEqualTo(1);
    assertThat(counter("rt/grpc/service/svc/users/retries")).isZero();
  }

  @Test
  void callsBeyondTheBackendsStreamLimitWaitOrTakeAnotherConnection() throws Exception {
    GrpcEcho users = cleanup.add(GrpcEcho.limited("users", 2));
    ManagedChannel ch = channel(proxy("", users.port()));

    // 20 calls open at once, each holding its stream until the last has begun
    List<CompletableFuture<String>> answers = new ArrayList<>();
    List<StreamObserver<byte[]>> ups = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      CompletableFuture<String> f = new CompletableFuture<>();
      StreamObserver<byte[]> up =
          ClientCalls.asyncClientStreamingCall(ch.newCall(GrpcEcho.CLIENT_STREAM, CallOptions.DEFAULT), H2RouterTest.observer(f));
      up.onNext(new byte[10]);
      answers.add(f);
      ups.add(up);
    }
    // 8 connections of 2 streams each reach the backend, and no more: the other 4 calls wait in the router
    dev.turnout.testing.Await.until("16 calls open at the backend", Duration.ofSeconds(10), () -> users.calls.get() == 16);
    assertThat(running.pools().h2Open()).isEqualTo(8);
    for (StreamObserver<byte[]> up : ups) {
      up.onCompleted();
    }
    for (CompletableFuture<String> f : answers) {
      assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo("users:1:10");
    }

    assertThat(users.calls.get()).isEqualTo(20);
    assertThat(counter("rt/grpc/service/svc/users/retries")).isZero();
    assertThat(running.pools().h2Open()).isEqualTo(8);
  }

  @Test
  void theClientsH2SettingsReachTheBackendInItsSettingsFrame() throws Exception {
    RawH2Backend backend = cleanup.add(new RawH2Backend(RawH2Backend.Mode.REFUSE));
    ManagedChannel ch = channel(proxy("  client: {initialStreamWindowBytes: 1048576, maxFrameBytes: 32768,"
        + " maxHeaderListBytes: 2049, headerTableBytes: 1024}\n", backend.port()));

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, GrpcEcho.UNARY, CallOptions.DEFAULT, bytes("x")))
        .isInstanceOf(StatusRuntimeException.class);

    // RFC 9113 section 6.5.2: 1 HEADER_TABLE_SIZE, 4 INITIAL_WINDOW_SIZE, 5 MAX_FRAME_SIZE, 6 MAX_HEADER_LIST_SIZE
    assertThat(backend.clientSettings).hasSize(1);
    assertThat(backend.clientSettings.get(0))
        .containsEntry(1, 1024L)
        .containsEntry(4, 1_048_576L)
        .containsEntry(5, 32_768L)
        .containsEntry(6, 2049L);
  }

  @Test
  void aCallWaitingForAStreamWaitsNoLongerThanTheRoutersTimeout() throws Exception {
    GrpcEcho users = cleanup.add(GrpcEcho.limited("users", 1));
    ManagedChannel ch = channel(proxy("  requestTimeoutMs: 1500\n", users.port()));

    // 8 connections of 1 stream each are taken by calls the backend never answers; a 9th waits
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      CompletableFuture<String> f = new CompletableFuture<>();
      ClientCalls.asyncUnaryCall(ch.newCall(GrpcEcho.UNARY, CallOptions.DEFAULT), bytes("hang"), H2RouterTest.observer(f));
      calls.add(f);
    }
    dev.turnout.testing.Await.until("8 calls at the backend", Duration.ofSeconds(10), () -> users.calls.get() == 8);
    assertThat(running.pools().h2Open()).isEqualTo(8);

    // every call ends by the router's timeout, the waiting one too: none hangs
    for (CompletableFuture<String> f : calls) {
      assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
          .hasCauseInstanceOf(StatusRuntimeException.class)
          .cause()
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }
    // the 9th was never sent past the limit (the backend would have refused it): it waited, and went
    // out only if a stream came free before its own timeout
    assertThat(counter("rt/grpc/client/#/io.l5d.fs/users/failures/refused")).isZero();
    assertThat(users.calls.get()).isBetween(8, 9);
  }
}
