package dev.turnout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watch streams opened from another OS process, on a control plane started by {@code bin/turnout} as
 * an operator starts it, with its soft open-file limit lowered first to 1,024: the JVM raises it to
 * the hard limit by itself, the start banner derives the stream limit from the raised one, and the
 * control plane holds the streams with its thread count flat. A commit then reaches every stream.
 *
 * <p>1,000 streams by default (CI); the 10,000 of issue 27 with {@code -Dwatch.streams=10000
 * -Dwatch.heap=384m} (the control plane's heap; the figures are printed either way).
 */
class WatchStreamsIT {
  private static final int STREAMS = Integer.getInteger("watch.streams", 1_000);
  private static final String HEAP = System.getProperty("watch.heap", "");
  private static final Path LAUNCHER =
      Path.of("..", "web", "target", "turnout", "bin", "turnout").toAbsolutePath().normalize();
  private static final String PASSWORD = "streams-test-password";
  private static final Pattern BANNER = Pattern.compile("at most (\\d+) watch streams \\(open files (\\d+),");

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private JarProcess controlPlane;
  private Process client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.getOutputStream().close();
      if (!client.waitFor(20, TimeUnit.SECONDS)) {
        client.destroyForcibly();
      }
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  @Test
  void streamsFromAnotherProcessHoldNoThreadsAndEachGetsTheCommit() throws Exception {
    ProcessBuilder start =
        new ProcessBuilder(
            "bash", "-c", "ulimit -Sn 1024 && exec \"$0\" \"$@\"", LAUNCHER.toString(),
            "--admin-port", "0", "--proxy-port", "0", "--warmup", "0", "--data", dir.resolve("data").toString());
    start.environment().remove("JAVA_OPTS");
    start.environment().remove("TURNOUT_HEAP");
    start.environment().put("JAVA_HOME", System.getProperty("java.home"));
    start.environment().put("TURNOUT_ADMIN_PASSWORD", PASSWORD);
    if (!HEAP.isEmpty()) {
      start.environment().put("TURNOUT_HEAP", HEAP);
    }
    controlPlane = JarProcess.start("control-plane", start);
    int admin = controlPlane.port("admin");
    long pid = controlPlane.pid();
    long[] hardAndSoft = openFileLimits(pid);
    Matcher banner = BANNER.matcher(controlPlane.output());
    assertThat(banner.find()).as("the start banner names the stream limit: %s", controlPlane.output()).isTrue();
    put(admin, "/svc/users => /$/inet/127.0.0.1/1;\n");
    long heapBefore = liveHeapKiB(pid);
    long[] before = procStatus(pid);

    BlockingQueue<String> said = startClient(admin);
    String ready = next(said, "ready ", Duration.ofSeconds(120 + STREAMS / 50));
    long[] with = procStatus(pid);
    long heapLive = liveHeapKiB(pid);
    long committed = System.currentTimeMillis();
    put(admin, "/svc/users => /$/inet/127.0.0.1/1;\n/commit => /$/inet/127.0.0.1/7;\n");
    String reached = next(said, "seq 7 ", Duration.ofSeconds(60));
    long lastMillis = Long.parseLong(reached.substring(reached.indexOf(" last ") + 6).strip()) - committed;

    System.out.printf(Locale.ROOT,
        "watch streams: %d from another process (%s); the control plane (soft open-file limit %d after a start at"
            + " 1024, hard %d; banner: at most %s streams): threads %d -> %d, RSS %d -> %d MiB (%.1f KiB a stream),"
            + " live heap after a full GC %d -> %d KiB (%.1f KiB a stream);"
            + " a commit reached the last stream after %d ms%n",
        STREAMS, ready, hardAndSoft[1], hardAndSoft[0], banner.group(1), before[1], with[1], before[0] / 1024,
        with[0] / 1024, (with[0] - before[0]) / (double) STREAMS, heapBefore, heapLive,
        (heapLive - heapBefore) / (double) STREAMS, lastMillis);
    assertThat(hardAndSoft[1]).as("the JVM's soft open-file limit, raised to the hard one").isEqualTo(hardAndSoft[0]);
    assertThat(Long.parseLong(banner.group(2))).as("the open files the banner derives from").isEqualTo(hardAndSoft[0]);
    assertThat(ready).as("every stream has its first line, none refused").startsWith("ready " + STREAMS + " ")
        .contains(" refused 0 ");
    assertThat(with[1] - before[1])
        .as("threads the control plane gained for %d streams", STREAMS)
        .isLessThanOrEqualTo(24);
  }

  /** Starts FleetFollowers in streams-only mode in its own JVM, its output lines queued. */
  private BlockingQueue<String> startClient(int admin) throws IOException {
    Path classes = Path.of("target", "test-classes").toAbsolutePath();
    client =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m", "-cp",
                classes.toString(), FleetFollowers.class.getName(), String.valueOf(admin), String.valueOf(STREAMS),
                "default", "streams-only")
            .redirectErrorStream(true)
            .start();
    BlockingQueue<String> said = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                  said.add(line);
                }
              } catch (IOException e) {
                // the client ended
              }
            },
            "streams-client-output");
    reader.setDaemon(true);
    reader.start();
    return said;
  }

  /** The next line of {@code said} starting with {@code prefix}; the others are shown and passed over. */
  private static String next(BlockingQueue<String> said, String prefix, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      String line = said.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
      if (line != null) {
        System.out.println("streams client: " + line);
      }
    }
    throw new AssertionError("the streams client did not say '" + prefix + "' within " + within);
  }

  /** {@code [hard, soft]} open-file limits of a process, from /proc/PID/limits. */
  static long[] openFileLimits(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "limits"))) {
      if (line.startsWith("Max open files")) {
        String[] f = line.substring("Max open files".length()).strip().split("\\s+");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[0])};
      }
    }
    throw new AssertionError("no open-file limit in /proc/" + pid + "/limits");
  }

  /** {@code [VmRSS in KiB, Threads]} of a process, from /proc. */
  static long[] procStatus(long pid) throws IOException {
    long rss = 0;
    long threads = 0;
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
      } else if (line.startsWith("Threads:")) {
        threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return new long[] {rss, threads};
  }

  /**
   * The heap a process's live objects take, in KiB: {@code jcmd PID GC.class_histogram}, which runs a
   * full collection first and ends with the total.
   */
  static long liveHeapKiB(long pid) throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid),
                "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    List<String> lines;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(jcmd.getInputStream(), StandardCharsets.UTF_8))) {
      lines = out.lines().toList();
    }
    jcmd.waitFor(60, TimeUnit.SECONDS);
    String total = lines.stream().filter(l -> l.startsWith("Total")).findFirst()
        .orElseThrow(() -> new AssertionError("jcmd said: " + lines));
    String[] f = total.strip().split("\\s+");
    return Long.parseLong(f[2]) / 1024;
  }

  private void put(int admin, String dtab) throws Exception {
    String login = Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/1/dtabs/default"))
                .header("Content-Type", "application/dtab")
                .header("Authorization", "Basic " + login)
                .PUT(HttpRequest.BodyPublishers.ofString(dtab))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }
}
