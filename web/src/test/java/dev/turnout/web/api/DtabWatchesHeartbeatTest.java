package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.StoreEvent;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The heartbeat of a JSON watch stream is due a fixed time after its last write, whatever events come. */
class DtabWatchesHeartbeatTest {
  private static final Duration HEARTBEAT = Duration.ofSeconds(2);

  private final AtomicReference<Consumer<StoreEvent>> subscriber = new AtomicReference<>();
  private final DtabWatches watches =
      new DtabWatches(listener -> {
        subscriber.set(listener);
        return () -> subscriber.set(null);
      }, HEARTBEAT);
  private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
  private Javalin app;

  @AfterEach
  void stop() {
    later.shutdownNow();
    if (app != null) {
      watches.closeAll();
      app.stop();
    }
  }

  @Test
  void anEventThatWritesNothingDoesNotPutTheHeartbeatOff() throws Exception {
    // The value never changes, so every event renders the line already written and writes nothing.
    app = Javalin.create(config -> config.routes.get("/watch", ctx ->
            watches.stream(ctx, DtabBodies.JSON, event -> Optional.of(new DtabWatches.Line("same", "{}")))))
        .start("127.0.0.1", 0);
    HttpResponse<InputStream> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/watch")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
    assertThat(lines.readLine()).isEqualTo("{}");
    long firstLine = System.nanoTime();
    // Three quarters of the way to the heartbeat, an event arrives (another namespace's commit).
    later.schedule(() -> subscriber.get().accept(new StoreEvent("other", null, StoreEvent.Kind.DELETED)),
        HEARTBEAT.toMillis() * 3 / 4, TimeUnit.MILLISECONDS);

    assertThat(lines.readLine()).isEmpty();
    double seconds = (System.nanoTime() - firstLine) / 1e9;

    // Due at 2 s after the first line; counted from the event instead it came at 3.5 s. The bound
    // leaves a second for a loaded machine on the one side and half a second on the other.
    assertThat(seconds).as("seconds from the first line to the heartbeat").isBetween(1.9, 3.0);
  }
}
