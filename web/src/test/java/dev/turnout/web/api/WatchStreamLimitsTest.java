package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.StoreEvent;
import dev.turnout.testing.Await;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a watch stream may cost: a reader that stops reading is cut off; a shared value is worked out once. */
class WatchStreamLimitsTest {
  private static final int BIG_LINE = 256 * 1024;

  private final AtomicReference<Consumer<StoreEvent>> subscriber = new AtomicReference<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private DtabWatches watches;
  private Javalin app;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (app != null) {
      watches.closeAll();
      app.stop();
    }
  }

  private void serve(DtabWatches.Limits limits, io.javalin.http.Handler route) {
    watches =
        new DtabWatches(
            listener -> {
              subscriber.set(listener);
              return () -> subscriber.set(null);
            },
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            limits,
            System::nanoTime);
    app = Javalin.create(config -> config.routes.get("/watch", route)).start("127.0.0.1", 0);
  }

  private void change() {
    subscriber.get().accept(new StoreEvent("ns", null, StoreEvent.Kind.DELETED));
  }

  @Test
  void aStreamWhoseReaderLeavesTooMuchUnreadPastTheGraceIsClosed() throws Exception {
    // Every change is a new line of 256 KiB; 512 KiB may wait for the reader for 300 ms.
    AtomicInteger version = new AtomicInteger();
    String filler = "x".repeat(BIG_LINE);
    serve(
        new DtabWatches.Limits(10, 512 * 1024, Duration.ofMillis(300)),
        ctx ->
            watches.stream(
                ctx,
                DtabBodies.JSON,
                event -> {
                  String key = Integer.toString(version.get());
                  return Optional.of(new DtabWatches.Line(key, "\"" + key + filler + "\""));
                }));
    Socket stuck = new Socket("127.0.0.1", app.port());
    toClose.add(stuck);
    stuck.setReceiveBufferSize(64 * 1024);
    OutputStream request = stuck.getOutputStream();
    request.write("GET /watch HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    request.flush();
    HttpResponse<InputStream> reading =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/watch")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    BufferedReader reader = new BufferedReader(new InputStreamReader(reading.body(), StandardCharsets.UTF_8));
    assertThat(reader.readLine()).startsWith("\"0");
    Await.until("both streams are open", Duration.ofSeconds(5), () -> watches.open() == 2);

    // 64 changes of 256 KiB: 16 MiB, more than the socket buffers of the stuck reader take.
    for (int i = 1; i <= 64; i++) {
      version.set(i);
      change();
      assertThat(reader.readLine()).as("the reading client's line %d", i).startsWith("\"" + i);
    }

    Await.until("the stuck stream is closed", Duration.ofSeconds(10), () -> watches.open() == 1);
    stuck.setSoTimeout(10_000);
    assertThat(endOfStream(stuck.getInputStream()))
        .as("the stuck reader's connection ends once it reads again")
        .isTrue();
    version.set(65);
    change();
    assertThat(reader.readLine()).as("the reader that kept up still gets changes").startsWith("\"65");
  }

  @Test
  void streamsWatchingOneValueHaveEachChangeWorkedOutOnce() throws Exception {
    AtomicInteger renders = new AtomicInteger();
    AtomicInteger version = new AtomicInteger();
    serve(
        DtabWatches.Limits.of(100),
        ctx ->
            watches.stream(
                ctx,
                DtabBodies.JSON,
                event -> {
                  renders.incrementAndGet();
                  String v = Integer.toString(version.get());
                  return Optional.of(new DtabWatches.Line(v, v));
                },
                "the-one-name"));
    HttpClient client = HttpClient.newHttpClient();
    List<BufferedReader> readers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      HttpResponse<InputStream> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/watch")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      toClose.add(r.body());
      BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
      assertThat(reader.readLine()).isEqualTo("0");
      readers.add(reader);
    }
    int before = renders.get();

    version.set(1);
    change();
    for (BufferedReader reader : readers) {
      assertThat(reader.readLine()).isEqualTo("1");
    }

    assertThat(renders.get() - before).as("renders of one change for 20 streams").isEqualTo(1);
    assertThat(watches.sharedRenders()).isEqualTo(19);
  }

  /** Reads until the connection ends; false if it is still open after ten seconds. */
  private static boolean endOfStream(InputStream in) throws Exception {
    byte[] buf = new byte[64 * 1024];
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    try {
      while (System.nanoTime() < deadline) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset: ended just as well
    }
    return false;
  }
}
