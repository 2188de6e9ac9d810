package dev.turnout.e2e;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Simulated followers of one control plane, all in this one process (FleetBench starts it with {@code
 * java -cp target/test-classes}; it needs nothing but the JDK). Each follower holds what a proxy
 * holds: a watch of the namespace's dtab, three bind watches, and a fleet report a second. The JDK's
 * client holds every stream without a thread of its own (a selector and two workers).
 *
 * <p>Arguments: admin port, followers, namespace, and optionally {@code streams-only} (each follower
 * then holds its dtab watch alone: no bind watches, no reports; how WatchStreamsIT opens thousands of
 * bare streams). Prints {@code ready N} once every follower has its first dtab line, then for each
 * commit marker {@code /commit => /$/inet/127.0.0.1/SEQ} that every follower has seen, {@code seq SEQ
 * last MILLIS} with the epoch millis at which the last one saw it. Runs until its standard input closes.
 */
public final class FleetFollowers {
  private static final Pattern MARKER = Pattern.compile("\"/commit\"[^}]*?/(\\d+)\"");
  private static final String[] NAMES = {"/svc/users", "/svc/orders", "/svc/billing"};

  /** Threads sending reports, each a connection kept alive. */
  private static final int LANES = 8;

  private final int admin;
  private final int followers;
  private final String namespace;
  private final boolean streamsOnly;
  private final HttpClient client;
  private final AtomicInteger ready = new AtomicInteger();
  private final AtomicInteger bindLines = new AtomicInteger();
  private final AtomicInteger reportsOk = new AtomicInteger();
  private final AtomicInteger reportsFailed = new AtomicInteger();
  private final AtomicInteger streamsEnded = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger unanswered = new AtomicInteger();
  /** Per commit marker: how many followers have seen it, and when the last did. */
  private final Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
  private final Map<Long, AtomicLong> lastSeen = new ConcurrentHashMap<>();

  private FleetFollowers(int admin, int followers, String namespace, boolean streamsOnly) {
    this.admin = admin;
    this.followers = followers;
    this.namespace = namespace;
    this.streamsOnly = streamsOnly;
    this.client =
        HttpClient.newBuilder()
            .executor(Executors.newFixedThreadPool(2))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  public static void main(String[] args) throws Exception {
    FleetFollowers fleet =
        new FleetFollowers(
            Integer.parseInt(args[0]), Integer.parseInt(args[1]), args[2], args.length > 3 && args[3].equals("streams-only"));
    fleet.run();
  }

  private void run() throws Exception {
    long openStart = System.nanoTime();
    for (int i = 0; i < followers; i++) {
      watchDtab();
      for (String name : streamsOnly ? new String[0] : NAMES) {
        watch(
            "/api/1/bind/" + namespace + "?watch=true&path=" + URLEncoder.encode(name, StandardCharsets.UTF_8),
            line -> bindLines.incrementAndGet());
      }
      if (i % 100 == 99) {
        // a fleet starts over some seconds, not in one burst of connections
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(120 + followers / 50).toNanos();
    while (ready.get() < followers && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    System.out.printf(
        java.util.Locale.ROOT, "ready %d bindLines %d refused %d unanswered %d in %.1f s%n",
        ready.get(), bindLines.get(), refused.get(), unanswered.get(), (System.nanoTime() - openStart) / 1e9);
    if (streamsOnly) {
      while (System.in.read() >= 0) {
        // until the bench closes our input
      }
      System.exit(0);
    }
    // Reports go out on a few lanes, each sending its share one after another, as a proxy sends its
    // own: a control plane that answers slowly gets fewer reports, not ever more connections.
    ScheduledExecutorService reports = Executors.newScheduledThreadPool(LANES + 1);
    for (int lane = 0; lane < LANES; lane++) {
      int first = lane;
      reports.scheduleAtFixedRate(
          () -> {
            for (int i = first; i < followers; i += LANES) {
              report("simulated-" + i);
            }
          },
          lane * 1000L / LANES, 1000, TimeUnit.MILLISECONDS);
    }
    reports.scheduleAtFixedRate(
        () -> System.out.println("status reportsOk " + reportsOk.get() + " reportsFailed " + reportsFailed.get()
            + " streamsReopened " + streamsEnded.get() + " bindLines " + bindLines.get() + " commitsSeen "
            + new java.util.TreeMap<>(seen)),
        5, 5, TimeUnit.SECONDS);
    while (System.in.read() >= 0) {
      // until the bench closes our input
    }
    System.exit(0);
  }

  private void watchDtab() {
    boolean[] first = {true};
    java.util.Set<Long> counted = ConcurrentHashMap.newKeySet();
    watch(
        "/api/1/dtabs/" + namespace + "?watch=true",
        line -> {
          if (first[0] && line.startsWith("[")) {
            first[0] = false;
            ready.incrementAndGet();
          }
          Matcher m = MARKER.matcher(line);
          if (m.find() && counted.add(Long.parseLong(m.group(1)))) {
            long seq = Long.parseLong(m.group(1));
            long now = System.currentTimeMillis();
            lastSeen.computeIfAbsent(seq, k -> new AtomicLong()).accumulateAndGet(now, Math::max);
            if (seen.computeIfAbsent(seq, k -> new AtomicInteger()).incrementAndGet() == followers) {
              System.out.println("seq " + seq + " last " + lastSeen.get(seq).get());
            }
          }
        });
  }

  /**
   * Holds a watch of {@code path}, opened again when it ends, as a proxy does (one that has fallen
   * behind reads the current value as the new stream's first line).
   */
  private void watch(String path, java.util.function.Consumer<String> onLine) {
    java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
    Flow.Subscriber<String> lines =
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            answered.set(true);
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(String line) {
            if (!line.isEmpty()) {
              onLine.accept(line);
            }
          }

          @Override
          public void onError(Throwable t) {
            again();
          }

          @Override
          public void onComplete() {
            again();
          }

          private void again() {
            streamsEnded.incrementAndGet();
            java.util.concurrent.CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
                .execute(() -> watch(path, onLine));
          }
        };
    client
        .sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path)).build(),
            HttpResponse.BodyHandlers.fromLineSubscriber(lines))
        .whenComplete(
            (r, e) -> {
              if (e == null && r.statusCode() != 200 && refused.incrementAndGet() % 100 == 1) {
                System.out.println("watch of " + path + " answered " + r.statusCode());
              }
              if (e != null && !answered.get()) {
                // never answered (the connection was not made: a control plane's accept queue
                // overflows when thousands connect at once): try again, as a proxy would
                if (unanswered.incrementAndGet() % 100 == 1) {
                  System.out.println("watch of " + path + " failed: " + e);
                }
                java.util.concurrent.CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
                    .execute(() -> watch(path, onLine));
              }
            });
  }

  /** Sends one report and waits for its answer. */
  private void report(String id) {
    String body =
        "{\"instance\":\"" + id + "\",\"role\":\"proxy\",\"admin\":\"127.0.0.1:1\",\"startedAtMillis\":0,"
            + "\"sentAtMillis\":" + System.currentTimeMillis() + ",\"routers\":[{\"router\":\"http\","
            + "\"namespace\":\"" + namespace + "\",\"version\":1,\"following\":\"127.0.0.1:" + admin
            + "\",\"lastHeardMillis\":0,\"problem\":null}],\"traffic\":[]}";
    try {
      HttpResponse<Void> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/1/fleet/reports"))
                  .header("Content-Type", "application/json")
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      (r.statusCode() == 204 ? reportsOk : reportsFailed).incrementAndGet();
    } catch (java.io.IOException e) {
      if (reportsFailed.incrementAndGet() % 100 == 1) {
        System.out.println("report failed: " + e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
