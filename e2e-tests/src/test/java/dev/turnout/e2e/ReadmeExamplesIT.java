package dev.turnout.e2e;

import dev.turnout.testing.Backend;
import dev.turnout.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.app.Main;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every example command of the README and of the {@code --help} output, run for real: the README's
 * shell blocks and inline commands, through bash, in a folder laid out as the README assumes ({@code
 * web/target/turnout.jar} and the distribution {@code web/target/turnout/} are this build's, beside
 * {@code routes.dtab}, which is the README's {@code dtab} block, {@code disco/} and {@code
 * linkerd.yml}); the {@code turnout ...} lines under "Examples:" in each command's help, with {@code
 * turnout} standing for the launcher {@code web/target/turnout/bin/turnout}. The commands that start a
 * server are started as processes and stopped with SIGTERM; the curl commands run against them.
 *
 * <p>The only adaptations: a server started from the README gets {@code --proxy-port 0 --admin-port 0
 * --warmup 0} (other builds share this machine's 4140 and 9990; the warm-up only delays the start), its
 * curl commands the ports it printed, {@code PASSWORD} and {@code ETAG} the real ones, {@code
 * /var/lib/turnout} a folder here, and "mvn -q -DskipTests package &&" is dropped (this build has just
 * packaged the jar). {@link #NOT_RUN} lists the README commands not run, with why; a README command in
 * neither that list nor {@link #readmeCommandsRun()} fails the test, so a new example cannot go
 * untested unnoticed.
 */
class ReadmeExamplesIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path JAR = ROOT.resolve("web/target/turnout.jar");
  private static final Path DISTRIBUTION = ROOT.resolve("web/target/turnout");
  private static final String ADMIN_PASSWORD = "readme-example-password";

  /** README commands this test does not run, by prefix, with why. */
  private static final Map<String, String> NOT_RUN =
      Map.ofEntries(
          Map.entry("mvn verify", "it is this very build"),
          Map.entry("TURNOUT_STORE_PASSWORD=secret web/target/turnout/bin/turnout --store",
              "needs the reader's own PostgreSQL; FleetIT starts these control planes, as processes, on a throwaway one"),
          Map.entry("web/target/turnout/bin/turnout proxy", "FleetIT starts three such proxies following two control planes"),
          Map.entry("turnout proxy", "the same command, named in the text"),
          Map.entry("curl -s http://127.0.0.1:9990/api/1/fleet", "FleetIT reads the fleet API of its surviving control plane"));

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(Process::destroyForcibly);
  }

  private record Result(int exit, String out, String err) {}

  /** A started server: its process, and the ports it printed. */
  private record Server(Process process, int proxyPort, int adminPort) {}

  @Test
  void everyReadmeCommandIsEitherRunOrListedAsNotRun() throws IOException {
    Set<String> commands = readmeCommands();

    assertThat(commands).isNotEmpty();
    for (String c : commands) {
      boolean run = readmeCommandsRun().contains(c);
      boolean skipped = NOT_RUN.keySet().stream().anyMatch(c::startsWith);
      assertThat(run || skipped).as("README command %s is run by this test or listed as not run", c).isTrue();
    }
    assertThat(readmeCommandsRun()).as("commands this test runs that the README no longer has").isSubsetOf(commands);
  }

  /** Exactly the README's commands that {@link #readmeCommandsRunAsTheReadmeSays()} runs. */
  private static Set<String> readmeCommandsRun() {
    return Set.of(
        "mvn -q -DskipTests package && web/target/turnout/bin/turnout --demo",
        "curl -H 'Host: users' http://127.0.0.1:4140/",
        "web/target/turnout/bin/turnout --config linkerd.yml --data /var/lib/turnout",
        "java -jar web/target/turnout.jar",
        "java -jar web/target/turnout.jar dtab check routes.dtab",
        "java -jar web/target/turnout.jar dtab fmt routes.dtab",
        "java -jar web/target/turnout.jar dtab bind --fs disco --dtab routes.dtab /svc/users",
        "java -jar web/target/turnout.jar dtab delegate --fs disco -e '/svc => /#/io.l5d.fs' /svc/users",
        "java -jar web/target/turnout.jar user add alice --role operator",
        "curl -s http://127.0.0.1:9990/api/1/dtabs/default -H 'Accept: application/dtab'",
        "curl -sI http://127.0.0.1:9990/api/1/dtabs/default",
        "curl -s -u admin:PASSWORD -X PUT http://127.0.0.1:9990/api/1/dtabs/default"
            + " -H 'Content-Type: application/dtab' -H 'If-Match: ETAG' -H 'X-Turnout-Comment: shift users'"
            + " --data-binary @routes.dtab",
        "for i in $(seq 100); do curl -s -H 'Host: users' http://127.0.0.1:4140/; done"
            + " | grep -o '\"version\":\"v[0-9]\"' | sort | uniq -c",
        "curl -s http://127.0.0.1:9990/api/1/dtabs/default/versions",
        "curl -s -u admin:PASSWORD -X POST http://127.0.0.1:9990/api/1/dtabs/default/rollback"
            + " -H 'Content-Type: application/json' -d '{\"version\": 1}'",
        "curl -sN 'http://127.0.0.1:9990/api/1/bind/default?path=/svc/users&watch=true'",
        "turnout user add NAME --role viewer",
        "openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost"
            + " -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' -keyout tls.key -out tls.pem",
        "web/target/turnout/bin/turnout --config tls.yml",
        "curl --cacert tls.pem -H 'Host: users' https://127.0.0.1:4143/",
        "curl --cacert tls.pem https://127.0.0.1:9990/health",
        "web/target/turnout/bin/turnout --config h2.yml",
        "curl --http2-prior-knowledge -H 'Host: users' http://127.0.0.1:4142/",
        "nghttp -v -H ':authority: users' http://127.0.0.1:4142/");
  }

  @Test
  void readmeCommandsRunAsTheReadmeSays() throws Exception {
    layOutTheReadmesFolder();
    Set<String> commands = readmeCommands();

    // Checking dtabs in a pipeline: no server.
    Result check = sh(readme(commands, "java -jar web/target/turnout.jar dtab check"), "");
    Result fmt = sh(readme(commands, "java -jar web/target/turnout.jar dtab fmt"), "");
    Result bind = sh(readme(commands, "java -jar web/target/turnout.jar dtab bind"), "");
    Result delegate = sh(readme(commands, "java -jar web/target/turnout.jar dtab delegate"), "");

    assertThat(check.exit()).as(check.err()).isZero();
    assertThat(fmt.exit()).as(fmt.err()).isZero();
    assertThat(fmt.out()).contains("/svc").contains(";");
    assertThat(bind.exit()).as(bind.err()).isZero();
    assertThat(bind.out()).contains("\"type\":\"leaf\"").contains("/#/io.l5d.fs/users-v1").contains("/#/io.l5d.fs/users-v2");
    assertThat(delegate.exit()).as(delegate.err()).isZero();
    assertThat(delegate.out()).contains("/#/io.l5d.fs/users");

    // Quick start, then the first traffic shift, on the demo server.
    Server demo = start(readme(commands, "mvn -q -DskipTests package && web/target/turnout/bin/turnout --demo"));
    Result traffic = sh(adapt(readme(commands, "curl -H 'Host: users'"), demo), "");
    Result text = sh(adapt(readme(commands, "curl -s http://127.0.0.1:9990/api/1/dtabs/default -H"), demo), "");
    Result head = sh(adapt(readme(commands, "curl -sI"), demo), "");
    String etagBefore = etag(demo);
    Result put = sh(adapt(readme(commands, "curl -s -u admin:PASSWORD -X PUT"), demo).replace("ETAG", etagBefore), "");
    String etagAfter = etag(demo);
    Result shifted = sh(adapt(readme(commands, "for i in $(seq 100)"), demo), "");
    Result versions = sh(adapt(readme(commands, "curl -s http://127.0.0.1:9990/api/1/dtabs/default/versions"), demo), "");
    int before = versionCount(versions.out());
    Result rollback = sh(adapt(readme(commands, "curl -s -u admin:PASSWORD -X POST"), demo), "");
    int after = versionCount(sh(adapt(readme(commands, "curl -s http://127.0.0.1:9990/api/1/dtabs/default/versions"), demo), "").out());
    String rolledBack = sh(adapt(readme(commands, "curl -s http://127.0.0.1:9990/api/1/dtabs/default -H"), demo), "").out();
    String watched = firstLine(adapt(readme(commands, "curl -sN"), demo));

    assertThat(traffic.exit()).isZero();
    assertThat(traffic.out()).contains("\"service\":\"users\"");
    assertThat(text.out()).contains("100 * /#/io.l5d.fs/users-v1 & 0 * /#/io.l5d.fs/users-v2");
    assertThat(head.out()).containsIgnoringCase("etag: " + etagBefore);
    assertThat(put.exit()).isZero();
    assertThat(etagAfter).as("the PUT committed a new version").isNotEqualTo(etagBefore);
    assertThat(shifted.exit()).as(shifted.err()).isZero();
    assertThat(count(shifted.out(), "v1")).as("v1's share of 100: %s", shifted.out()).isBetween(50, 99);
    assertThat(count(shifted.out(), "v2")).as("v2's share of 100: %s", shifted.out()).isBetween(1, 50);
    assertThat(before).as("the demo's version and the PUT's").isEqualTo(2);
    assertThat(rollback.exit()).isZero();
    assertThat(after).as("the rollback committed a version").isEqualTo(before + 1);
    assertThat(rolledBack).as("the demo's first dtab is in force again").contains("100 * /#/io.l5d.fs/users-v1");
    assertThat(watched).contains("\"type\"");
    assertThat(stop(demo)).as("SIGTERM drains and exits 0").isZero();

    // Users are added while Turnout is stopped (the first start made admin); the password comes from stdin.
    Result alice = sh(readme(commands, "java -jar web/target/turnout.jar user add alice"), "alice-password\n");
    Result viewer = sh(turnout(readme(commands, "turnout user add NAME").replace("NAME", "viewer1")), "viewer-password\n");

    assertThat(alice.exit()).as(alice.err()).isZero();
    assertThat(viewer.exit()).as(viewer.err()).isZero();

    // The jar alone, as java -jar runs it, on the store the demo left.
    assertThat(commands).contains("java -jar web/target/turnout.jar");
    Server plain = start("java -jar web/target/turnout.jar");

    assertThat(stop(plain)).isZero();

    // Running it for real, on a config file.
    try (Backend users = Backend.named("users")) {
      Files.writeString(
          dir.resolve("linkerd.yml"),
          "routers:\n- protocol: http\n  dtab: /svc/* => /$/inet/127.1/" + users.port() + "\n");
      Server real = start(readme(commands, "web/target/turnout/bin/turnout --config linkerd.yml"));
      HttpResponse<String> r = get("http://127.0.0.1:" + real.proxyPort() + "/", "users");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("users");
      assertThat(dir.resolve("var/lib/turnout")).isDirectory();
      assertThat(stop(real)).isZero();
    }

    // TLS: the README's certificate, its tls.yml (with this test's backend for 8080), its two curls.
    try (Backend users = Backend.named("users")) {
      Result cert = sh(readme(commands, "openssl req -x509"), "");
      assertThat(cert.exit()).as(cert.err()).isZero();
      Files.writeString(dir.resolve("tls.yml"), readmeYaml("tls:").replace("127.0.0.1/8080", "127.0.0.1/" + users.port()));
      String health = readme(commands, "curl --cacert tls.pem https://127.0.0.1:9990/health");
      Server tls = start(readme(commands, "web/target/turnout/bin/turnout --config tls.yml"), s -> succeeds(adapt(health, s)));
      Result proxied = sh(adapt(readme(commands, "curl --cacert tls.pem -H 'Host: users'"), tls), "");
      Result healthy = sh(adapt(health, tls), "");
      Result plaintext = sh("curl -s --max-time 10 http://127.0.0.1:" + tls.adminPort() + "/health", "");

      assertThat(proxied.exit()).as(proxied.err()).isZero();
      assertThat(proxied.out()).isEqualTo("users");
      assertThat(healthy.exit()).as(healthy.err()).isZero();
      assertThat(plaintext.exit()).as("plaintext to the HTTPS admin port gets no HTTP answer: %s", plaintext.out()).isNotZero();
      assertThat(stop(tls)).isZero();
    }

    // HTTP/2: the README's h2.yml (with an h2c backend of this test's for 50051), its curl and nghttp.
    Undertow h2c = Undertow.builder()
        .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
        .addHttpListener(0, "127.0.0.1")
        .setHandler(ex -> ex.getResponseSender().send("users over " + ex.getProtocol()))
        .build();
    h2c.start();
    try {
      int backend = ((java.net.InetSocketAddress) h2c.getListenerInfo().get(0).getAddress()).getPort();
      Files.writeString(dir.resolve("h2.yml"), readmeYaml("protocol: h2").replace("127.0.0.1/50051", "127.0.0.1/" + backend));
      Server h2 = start(readme(commands, "web/target/turnout/bin/turnout --config h2.yml"));
      Result curl = sh(adapt(readme(commands, "curl --http2-prior-knowledge"), h2), "");
      Result nghttp = sh(adapt(readme(commands, "nghttp "), h2), "");

      assertThat(curl.exit()).as(curl.err()).isZero();
      assertThat(curl.out()).isEqualTo("users over HTTP/2.0");
      assertThat(nghttp.exit()).as(nghttp.err()).isZero();
      assertThat(nghttp.out()).contains(":status: 200").contains("users over HTTP/2.0");
      assertThat(stop(h2)).isZero();
    } finally {
      h2c.stop();
    }
  }

  private boolean succeeds(String command) {
    try {
      return sh(command, "").exit() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void everyExampleInTheHelpOutputRuns() throws Exception {
    layOutTheReadmesFolder();
    List<String> examples = new ArrayList<>();
    collectExamples(Main.commandLine(), examples);

    assertThat(examples).as("examples in the --help output").hasSizeGreaterThanOrEqualTo(7);
    for (String example : examples) {
      Result r = sh(turnout(example), "");
      assertThat(r.exit()).as("%s: %s", example, r.err()).isZero();
    }
  }

  /** The lines under "Examples:" in the help of {@code cl} and every subcommand below it. */
  private static void collectExamples(CommandLine cl, List<String> into) {
    boolean in = false;
    for (String line : cl.getUsageMessage(CommandLine.Help.Ansi.OFF).split("\\R")) {
      if (line.strip().equals("Examples:")) {
        in = true;
      } else if (in && line.startsWith("  ") && !line.isBlank()) {
        into.add(line.strip());
      } else if (in) {
        in = false;
      }
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      collectExamples(sub, into);
    }
  }

  // ---- the README

  /** Every command of the README: shell-block lines (continuations joined, comments dropped) and inline ones. */
  private static Set<String> readmeCommands() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Set<String> out = new LinkedHashSet<>();
    Matcher block = Pattern.compile("(?s)```sh\\n(.*?)```").matcher(readme);
    while (block.find()) {
      String joined = block.group(1).replaceAll("\\\\\\n\\s*", "");
      for (String line : joined.split("\\n")) {
        String command = line.replaceAll("\\s+#\\s.*$", "").strip();
        if (!command.isEmpty()) {
          out.add(command);
        }
      }
    }
    Matcher inline = Pattern.compile("`((?:curl|java|turnout|mvn|bash) [^`]*)`").matcher(readme.replaceAll("(?s)```.*?```", ""));
    while (inline.find()) {
      out.add(inline.group(1).strip());
    }
    return out;
  }

  /** The one README command starting with {@code prefix}. */
  private static String readme(Set<String> commands, String prefix) {
    List<String> found = commands.stream().filter(c -> c.startsWith(prefix)).toList();
    assertThat(found).as("README commands starting with %s", prefix).hasSize(1);
    return found.get(0);
  }

  private void layOutTheReadmesFolder() throws IOException {
    Path target = Files.createDirectories(dir.resolve("web/target"));
    assertThat(JAR).as("the jar this build packaged").isRegularFile();
    Files.createSymbolicLink(target.resolve("turnout.jar"), JAR);
    assertThat(DISTRIBUTION.resolve("bin/turnout")).as("the launcher this build laid out").isExecutable();
    Files.createSymbolicLink(target.resolve("turnout"), DISTRIBUTION);
    Files.createDirectories(dir.resolve("disco"));
    Files.writeString(dir.resolve("disco/users-v1"), "127.0.0.1 8080\n");
    Files.writeString(dir.resolve("disco/users-v2"), "127.0.0.1 8081\n");
    Files.writeString(dir.resolve("routes.dtab"), readmeDtab());
  }

  /** The README's one {@code dtab} block: the dtab it tells the reader to save as routes.dtab. */
  private static String readmeDtab() throws IOException {
    Matcher block = Pattern.compile("(?s)```dtab\\n(.*?)```").matcher(Files.readString(ROOT.resolve("README.md")));
    assertThat(block.find()).as("the README has a dtab block").isTrue();
    String dtab = block.group(1);
    assertThat(block.find()).as("the README has one dtab block").isFalse();
    return dtab;
  }

  /** The README's one {@code yaml} block that contains {@code text}. */
  private static String readmeYaml(String text) throws IOException {
    Matcher block = Pattern.compile("(?s)```yaml\\n(.*?)```").matcher(Files.readString(ROOT.resolve("README.md")));
    List<String> found = new ArrayList<>();
    while (block.find()) {
      if (block.group(1).contains(text)) {
        found.add(block.group(1));
      }
    }
    assertThat(found).as("README yaml blocks containing %s", text).hasSize(1);
    return found.get(0);
  }

  /** How many requests {@code uniq -c} counted for {@code version}. */
  private static int count(String uniqC, String version) {
    Matcher m = Pattern.compile("(\\d+) \"version\":\"" + version + "\"").matcher(uniqC);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** A {@code turnout ...} command as the distribution runs it: {@code turnout} is its launcher. */
  private static String turnout(String command) {
    return "turnout() { web/target/turnout/bin/turnout \"$@\"; }; " + command;
  }

  /** A curl or nghttp command aimed at {@code server}, with its real ports and the admin password. */
  private static String adapt(String curl, Server server) {
    return curl.replace("127.0.0.1:9990", "127.0.0.1:" + server.adminPort())
        .replace("127.0.0.1:4140", "127.0.0.1:" + server.proxyPort())
        .replace("127.0.0.1:4143", "127.0.0.1:" + server.proxyPort())
        .replace("127.0.0.1:4142", "127.0.0.1:" + server.proxyPort())
        .replace("nghttp ", "nghttp --timeout=20 ")
        .replace("admin:PASSWORD", "admin:" + ADMIN_PASSWORD)
        .replace("curl ", "curl --max-time 20 ");
  }

  // ---- processes

  private ProcessBuilder bash(String command) {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(dir.toFile());
    pb.environment().put("TURNOUT_ADMIN_PASSWORD", ADMIN_PASSWORD);
    return pb;
  }

  private Result sh(String command, String stdin) throws Exception {
    Process p = bash(command).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    var out = p.getInputStream().readAllBytes();
    var err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s ended", command).isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  /** The first line a streaming command prints; the command is then stopped. */
  private String firstLine(String command) throws Exception {
    Process p = bash(command).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line = r.readLine();
      return line == null ? "" : line;
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts a README server command on free ports (and a folder here for {@code /var/lib/turnout}),
   * and waits for both of its "listening" lines.
   */
  private Server start(String command) throws Exception {
    return start(command, this::healthy);
  }

  /** As {@link #start(String)}, {@code ready} saying when the started server is. */
  private Server start(String command, java.util.function.Predicate<Server> ready) throws Exception {
    String adapted =
        command.replace("mvn -q -DskipTests package && ", "").replace("/var/lib/turnout", "var/lib/turnout")
            + " --proxy-port 0 --admin-port 0 --warmup 0";
    Process p = bash("exec " + adapted).redirectErrorStream(true).start();
    servers.add(p);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("(output ended: " + e + ")");
              }
            });
    reader.setDaemon(true);
    reader.start();
    Map<String, Integer> ports = new LinkedHashMap<>();
    Pattern listening = Pattern.compile("turnout: (proxy|admin) listening on [^ ]+:(\\d+)");
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    List<String> seen = new ArrayList<>();
    while (ports.size() < 2) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(line).as("%s printed both ports within 90 s; it printed %s", adapted, seen).isNotNull();
      seen.add(line);
      Matcher m = listening.matcher(line);
      if (m.find()) {
        ports.putIfAbsent(m.group(1), Integer.parseInt(m.group(2)));
      }
    }
    Server s = new Server(p, ports.get("proxy"), ports.get("admin"));
    Await.until("the server is healthy", Duration.ofSeconds(60), () -> ready.test(s));
    return s;
  }

  private boolean healthy(Server s) {
    try {
      return get("http://127.0.0.1:" + s.adminPort() + "/health", null).statusCode() == 200;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** SIGTERM, and the exit code. */
  private static int stop(Server s) throws InterruptedException {
    s.process().destroy();
    assertThat(s.process().waitFor(60, TimeUnit.SECONDS)).as("the server exited after SIGTERM").isTrue();
    return s.process().exitValue();
  }

  // ---- HTTP checks beside the README's commands

  private HttpResponse<String> get(String url, String host) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (host != null) {
      b.header("Host", host);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private String etag(Server s) throws Exception {
    HttpResponse<Void> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminPort() + "/api/1/dtabs/default"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    return r.headers().firstValue("ETag").orElseThrow();
  }

  private static int versionCount(String json) {
    Matcher m = Pattern.compile("\"version\"\\s*:").matcher(json);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
