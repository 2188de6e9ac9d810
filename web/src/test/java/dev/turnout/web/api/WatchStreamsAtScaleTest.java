package dev.turnout.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.JdbcDtabStore;
import dev.turnout.store.Role;
import dev.turnout.testing.Await;
import io.javalin.Javalin;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of watch streams on one admin server whose pool has 16 threads: were a stream to hold a
 * thread, the seventeenth would wait for ever. Opened from this JVM by the JDK's non-blocking client,
 * whose own threads are fixed (a selector and a pool of two).
 */
class WatchStreamsAtScaleTest {
  private static final int STREAMS = Integer.getInteger("scale.streams", 2_000);

  @TempDir Path dir;
  private JdbcDtabStore store;
  private Javalin app;
  private ExecutorService clientThreads;
  private final List<Flow.Subscription> subscriptions = new ArrayList<>();

  @AfterEach
  void stop() {
    subscriptions.forEach(Flow.Subscription::cancel);
    if (app != null) {
      app.stop();
    }
    if (clientThreads != null) {
      clientThreads.shutdownNow();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void twoThousandStreamsHoldNoThreadsAndEachGetsACommit() throws Exception {
    store = JdbcDtabStore.builder(JdbcDtabStore.fileUrl(dir)).passwordIterations(2).open();
    store.userStore().put("ops", Role.OPERATOR, "ops-password".toCharArray());
    app =
        Javalin.create(
                config -> {
                  config.startup.showJavalinBanner = false;
                  QueuedThreadPool pool = new QueuedThreadPool(16, 2, 60_000);
                  pool.setName("scale-admin");
                  config.jetty.threadPool = pool;
                  DtabApi.register(config, store, store.userStore(), DtabWatches.Limits.of(STREAMS + 10));
                })
            .start("127.0.0.1", 0);
    URI watch = URI.create("http://127.0.0.1:" + app.port() + "/api/1/dtabs/fleet?watch=true");
    clientThreads = Executors.newFixedThreadPool(2);
    HttpClient client = HttpClient.newBuilder().executor(clientThreads).build();
    write(client, "/svc => /$/inet/127.0.0.1/1;");
    AtomicInteger sawFirst = new AtomicInteger();
    AtomicInteger sawSecond = new AtomicInteger();

    open(client, watch, sawFirst, sawSecond);
    Await.until("the first stream has its first line", Duration.ofSeconds(10), () -> sawFirst.get() == 1);
    int threadsWithOne = liveThreads();
    long heapWithOne = heapAfterGc();
    long openStart = System.nanoTime();
    for (int i = 1; i < STREAMS; i++) {
      open(client, watch, sawFirst, sawSecond);
    }
    Await.until(
        "every stream has its first line", Duration.ofSeconds(60), () -> sawFirst.get() == STREAMS);
    double openSeconds = (System.nanoTime() - openStart) / 1e9;
    int threadsWithAll = liveThreads();
    long heapWithAll = heapAfterGc();
    long commitStart = System.nanoTime();
    write(client, "/svc => /$/inet/127.0.0.1/2;");
    Await.until(
        "every stream has the commit", Duration.ofSeconds(30), () -> sawSecond.get() == STREAMS);
    double commitSeconds = (System.nanoTime() - commitStart) / 1e9;

    System.out.printf(
        "%d streams opened in %.2f s; a commit reached all of them in %.3f s; live threads %d with one"
            + " stream, %d with all; heap after GC %.1f KiB a stream (server and client)%n",
        STREAMS, openSeconds, commitSeconds, threadsWithOne, threadsWithAll,
        (heapWithAll - heapWithOne) / 1024.0 / (STREAMS - 1));
    assertThat(threadsWithAll - threadsWithOne)
        .as("threads gained by this JVM (server and client) for %d more streams", STREAMS - 1)
        .isLessThanOrEqualTo(16);
  }

  /**
   * Opens one watch whose lines are counted as they come, without a thread waiting on it (the answer's
   * future completes only when its body ends).
   */
  private void open(HttpClient client, URI watch, AtomicInteger first, AtomicInteger second) {
    Flow.Subscriber<String> lines =
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            synchronized (subscriptions) {
              subscriptions.add(s);
            }
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(String line) {
            if (line.contains("0.1/1\"")) {
              first.incrementAndGet();
            } else if (line.contains("0.1/2\"")) {
              second.incrementAndGet();
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        };
    client.sendAsync(HttpRequest.newBuilder(watch).build(), HttpResponse.BodyHandlers.fromLineSubscriber(lines));
  }

  private void write(HttpClient client, String dtab) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/1/dtabs/fleet"))
                .header("Authorization", ApiServer.basic("ops", "ops-password"))
                .header("Content-Type", "application/dtab")
                .PUT(HttpRequest.BodyPublishers.ofString(dtab, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static int liveThreads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }
}
