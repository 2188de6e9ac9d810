package dev.turnout.e2e;

import dev.turnout.testing.Backend;
import dev.turnout.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution the build lays out in {@code web/target/turnout/}, run as an operator runs it:
 * {@code bin/turnout} started as a process, on the example config of its own {@code conf/}. The
 * launcher must {@code exec} the JVM, so the pid a supervisor holds is the JVM's: each check reads the
 * started process's own {@code /proc/PID/cmdline}, which is the JVM's command line only if the script
 * replaced itself by it.
 */
class LauncherIT {
  private static final Path TARGET = Path.of("..", "web", "target").toAbsolutePath().normalize();
  private static final Path HOME = TARGET.resolve("turnout");
  private static final Path LAUNCHER = HOME.resolve("bin/turnout");
  private static final String ADMIN_PASSWORD = "launcher-test-password";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<JarProcess> started = new ArrayList<>();

  @AfterEach
  void stop() {
    started.forEach(JarProcess::kill);
  }

  @Test
  void launcherServesTheExampleConfigAsTheJvmItself() throws Exception {
    JarProcess turnout = launch(LAUNCHER, Map.of(), "--config", HOME.resolve("conf/turnout.yml").toString());
    int admin = turnout.port("admin");
    int proxy = turnout.port("proxy");
    try (Backend users = Backend.named("users")) {
      Await.until("/health answers 200", Duration.ofSeconds(60), () -> answers(admin, "/health", null, 200));
      create(admin, "default", "/svc/users => /$/inet/127.0.0.1/" + users.port() + ";\n");
      Await.until("the proxy routes by the committed dtab", Duration.ofSeconds(30), () -> answers(proxy, "/", "users", 200));

      List<String> cmdline = cmdline(turnout.pid());
      HttpResponse<String> routed = get(proxy, "/", "users");

      assertThat(Path.of(cmdline.get(0))).isEqualTo(javaHome().resolve("bin/java"));
      assertThat(cmdline).containsSubsequence(jvmOptions()).containsSubsequence("-jar", HOME.resolve("lib/turnout.jar").toString());
      assertThat(cmdline.indexOf("-jar")).as("every flag of jvm.options comes before -jar").isGreaterThan(cmdline.indexOf(jvmOptions().get(jvmOptions().size() - 1)));
      assertThat(routed.statusCode()).as(routed.body()).isEqualTo(200);
      assertThat(routed.body()).isEqualTo("users");
    }
    turnout.close();
    assertThat(turnout.exitValue()).as("SIGTERM to the launcher's pid drains the JVM and exits 0").isZero();
  }

  @Test
  void turnoutHeapReplacesTheFilesXmxAndJavaOptsComeLast() throws IOException {
    Path elsewhere = Files.createSymbolicLink(dir.resolve("turnout"), LAUNCHER);
    List<String> fileFlags = jvmOptions();
    assertThat(fileFlags).as("jvm.options sets a maximum heap for TURNOUT_HEAP to replace").anyMatch(f -> f.startsWith("-Xmx"));

    JarProcess turnout =
        launch(elsewhere, Map.of("TURNOUT_HEAP", "96m", "JAVA_OPTS", "-Dturnout.launcher.check=yes -XX:MaxHeapFreeRatio=60"));
    turnout.port("admin");
    List<String> cmdline = cmdline(turnout.pid());
    List<String> beforeJar = cmdline.subList(0, cmdline.indexOf("-jar"));

    assertThat(beforeJar.stream().filter(f -> f.startsWith("-Xmx") || f.startsWith("-XX:MaxHeapSize"))).containsExactly("-Xmx96m");
    assertThat(beforeJar).containsSubsequence(fileFlags.stream().filter(f -> !f.startsWith("-Xmx")).toList());
    assertThat(beforeJar.subList(beforeJar.size() - 2, beforeJar.size()))
        .as("JAVA_OPTS, split on blanks, are the last flags, so they override the file's")
        .containsExactly("-Dturnout.launcher.check=yes", "-XX:MaxHeapFreeRatio=60");
    assertThat(cmdline).contains(HOME.resolve("lib/turnout.jar").toString());
  }

  @Test
  void archiveUnpacksToTheSameLayoutWithAnExecutableLauncher() throws Exception {
    Path archive = TARGET.resolve("turnout.tar.gz");
    assertThat(archive).as("the archive this build packaged").isRegularFile();

    Result untar = run(new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", dir.toString()));
    Path unpacked = dir.resolve("turnout");
    Files.writeString(dir.resolve("routes.dtab"), "/svc => /#/io.l5d.fs;\n");
    Result check = run(launcherCommand(unpacked.resolve("bin/turnout"), Map.of(), "dtab", "check", "routes.dtab"));

    assertThat(untar.exit()).as(untar.out()).isZero();
    assertThat(files(unpacked)).isEqualTo(files(HOME)).contains("bin/turnout", "conf/jvm.options", "conf/turnout.yml", "lib/turnout.jar");
    assertThat(Files.getPosixFilePermissions(unpacked.resolve("bin/turnout")))
        .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
    assertThat(Files.getPosixFilePermissions(LAUNCHER)).contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
    assertThat(Files.mismatch(unpacked.resolve("lib/turnout.jar"), TARGET.resolve("turnout.jar"))).as("the archive holds the built jar").isEqualTo(-1);
    assertThat(check.exit()).as("the unpacked launcher runs: %s", check.out()).isZero();
  }

  @Test
  void withoutJavaTheLauncherSaysWhereItLooked() throws Exception {
    Path path = Files.createDirectories(dir.resolve("path"));
    for (String tool : List.of("bash", "dirname")) {
      Files.createSymbolicLink(path.resolve(tool), onPath(tool));
    }

    ProcessBuilder noJavaHome = launcherCommand(LAUNCHER, Map.of("JAVA_HOME", dir.resolve("no-jdk").toString()), "--help");
    ProcessBuilder nothingOnPath = launcherCommand(LAUNCHER, Map.of("PATH", path.toString()), "--help");
    nothingOnPath.environment().remove("JAVA_HOME");
    ProcessBuilder badHeap = launcherCommand(LAUNCHER, Map.of("TURNOUT_HEAP", "lots"), "--help");
    Result a = run(noJavaHome);
    Result b = run(nothingOnPath);
    Result c = run(badHeap);

    assertThat(a.exit()).isEqualTo(1);
    assertThat(a.out()).contains("JAVA_HOME is " + dir.resolve("no-jdk"));
    assertThat(b.exit()).isEqualTo(1);
    assertThat(b.out()).contains("no java found: set JAVA_HOME, or put java (17 or newer) on the PATH");
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.out()).contains("TURNOUT_HEAP is 'lots'");
  }

  // ---- the launcher as a process

  /** {@code launcher ARGS --data DIR --proxy-port 0 --admin-port 0 --warmup 0}, started in the temp folder. */
  private JarProcess launch(Path launcher, Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--data", dir.resolve("data").toString(), "--proxy-port", "0", "--admin-port", "0", "--warmup", "0"));
    JarProcess p = JarProcess.start("bin/turnout", launcherCommand(launcher, env, all.toArray(String[]::new)));
    started.add(p);
    return p;
  }

  /**
   * The launcher with this JVM as {@code JAVA_HOME}, none of the caller's JAVA_OPTS or TURNOUT_HEAP,
   * and {@code env} on top.
   */
  private ProcessBuilder launcherCommand(Path launcher, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().remove("JAVA_OPTS");
    pb.environment().remove("TURNOUT_HEAP");
    pb.environment().put("JAVA_HOME", javaHome().toString());
    pb.environment().put("TURNOUT_ADMIN_PASSWORD", ADMIN_PASSWORD);
    pb.environment().putAll(env);
    return pb;
  }

  private record Result(int exit, String out) {}

  private static Result run(ProcessBuilder pb) throws Exception {
    Process p = pb.redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s ended", pb.command()).isTrue();
    return new Result(p.exitValue(), out);
  }

  /** Where {@code tool} is on this process's PATH. */
  private static Path onPath(String tool) {
    return Arrays.stream(System.getenv("PATH").split(":"))
        .map(d -> Path.of(d, tool))
        .filter(Files::isExecutable)
        .findFirst()
        .orElseThrow(() -> new AssertionError(tool + " is not on the PATH"));
  }

  private static Path javaHome() {
    return Path.of(System.getProperty("java.home"));
  }

  /** The JVM flags of the distribution's conf/jvm.options, as the launcher reads them. */
  private static List<String> jvmOptions() {
    try (Stream<String> lines = Files.lines(HOME.resolve("conf/jvm.options"))) {
      return lines.map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The command line the kernel holds for {@code pid}: whatever that process exec'd last. */
  private static List<String> cmdline(long pid) throws IOException {
    String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
    return Arrays.asList(raw.split("\0"));
  }

  /** Every regular file under {@code root}, as relative paths. */
  private static List<String> files(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(Files::isRegularFile).map(f -> root.relativize(f).toString()).sorted().toList();
    }
  }

  // ---- HTTP

  private HttpResponse<String> get(int port, String path, String host) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20));
    if (host != null) {
      b.header("Host", host);
    }
    return send(b.build());
  }

  private void create(int admin, String namespace, String dtab) {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/1/dtabs/" + namespace))
                .header("Authorization", ReadmeExamplesIT.basic("admin", ADMIN_PASSWORD))
                .header("Content-Type", "application/dtab")
                .POST(HttpRequest.BodyPublishers.ofString(dtab))
                .build());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
  }

  private boolean answers(int port, String path, String host, int status) {
    try {
      return get(port, path, host).statusCode() == status;
    } catch (UncheckedIOException notYet) {
      return false;
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
