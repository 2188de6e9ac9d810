package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Http;
import dev.turnout.config.ConfigLoader;
import dev.turnout.config.NamerConfig;
import dev.turnout.config.RouterConfig;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.metrics.ProxyMetrics;
import dev.turnout.naming.FsNamer;
import dev.turnout.naming.Interpreter;
import dev.turnout.routing.DtabSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One corpus config started as Turnout's process starts it (ConfigLoader, an io.l5d.fs namer per
 * namer block, the routers' own dtabs), after the only adaptations the corpus allows: every server
 * port becomes a free one, listening addresses become 127.0.0.1, and the backend ports the test names
 * become its backends' ports. Directories are relative to a temporary folder.
 */
final class Corpus implements AutoCloseable {
  private static final Pattern SERVER_PORT = Pattern.compile("(?m)^(\\s*-?\\s*port:\\s*)(\\d+)\\s*$");
  private static final Pattern LISTEN_IP = Pattern.compile("(?m)^(\\s*-?\\s*ip:\\s*)[0-9.]+\\s*$");

  final String source;
  final TurnoutConfig config;
  private final List<AutoCloseable> open = new ArrayList<>();
  private RunningProxy proxy;

  private Corpus(String source, TurnoutConfig config) {
    this.source = source;
    this.config = config;
  }

  /**
   * Loads {@code file} from the corpus, every listening port made a free one (an io.l5d.port
   * transformer's port is left as written), with {@code backendPorts} (the port the doc names -> the port to
   * use instead) and files written under {@code dir} first ({@code path, content, path, content...}).
   */
  static Corpus load(String file, Path dir, Map<Integer, Integer> backendPorts, String... files) {
    return load(file, dir, Map.of(), backendPorts, files);
  }

  /**
   * As {@link #load(String, Path, Map, String...)}, except that a server port in {@code serverPorts}
   * is not made a free one but the port given, and so is every other mention of it: a linker-to-linker
   * config names its incoming router's port again in the outgoing router's {@code io.l5d.port}.
   */
  static Corpus load(
      String file, Path dir, Map<Integer, Integer> serverPorts, Map<Integer, Integer> backendPorts, String... files) {
    String text = resource(file);
    String first = text.lines().findFirst().orElse("");
    assertThat(first)
        .as("the first line of %s names its source", file)
        .matches("# Source: linkerd/(linkerd linkerd|linkerd-examples [a-z0-9-]+)/.*");
    String adapted =
        SERVER_PORT
            .matcher(text)
            .replaceAll(
                m -> serverPorts.containsKey(Integer.parseInt(m.group(2))) || sendsToPort(text, m.start())
                    ? Matcher.quoteReplacement(m.group())
                    : Matcher.quoteReplacement(m.group(1) + "0"));
    adapted = LISTEN_IP.matcher(adapted).replaceAll("$1127.0.0.1");
    for (Map<Integer, Integer> ports : List.of(serverPorts, backendPorts)) {
      for (Map.Entry<Integer, Integer> e : ports.entrySet()) {
        adapted =
            adapted.replaceAll(
                "(?<![0-9])" + e.getKey() + "(?![0-9])", Matcher.quoteReplacement(Integer.toString(e.getValue())));
      }
    }
    try {
      for (int i = 0; i < files.length; i += 2) {
        Path f = dir.resolve(files[i]);
        Files.createDirectories(f.getParent());
        Files.writeString(f, files[i + 1]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Corpus(first, ConfigLoader.parse(adapted, dir, dir.resolve("data")));
  }

  /** Whether the {@code port:} line at {@code at} is an io.l5d.port transformer's, not a listener's. */
  private static boolean sendsToPort(String text, int at) {
    String before = text.substring(0, at).stripTrailing();
    String previousLine = before.substring(before.lastIndexOf('\n') + 1);
    return previousLine.matches("\\s*-?\\s*kind:\\s*io\\.l5d\\.port\\s*");
  }

  private static String resource(String file) {
    try (InputStream in = Corpus.class.getResourceAsStream("/dev/turnout/conformance/" + file)) {
      assertThat(in).as("corpus file %s", file).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts every router, as the process does for routers that route by their own dtab. */
  Corpus start() {
    List<Interpreter.Mount> mounts = new ArrayList<>();
    for (NamerConfig n : config.namers()) {
      FsNamer namer = new FsNamer(((NamerConfig.Fs) n).rootDir(), n.prefix(), Duration.ofMillis(50));
      open.add(namer);
      mounts.add(new Interpreter.Mount(n.prefix(), namer));
    }
    ProxyMetrics metrics = new ProxyMetrics();
    open.add(metrics);
    List<RouterConfig> routers = config.routers();
    proxy = ProxyServer.start(routers, new Interpreter(mounts), r -> DtabSource.fixed(r.dtab()), metrics);
    return this;
  }

  /** A GET to router {@code label}'s first server, with header name/value pairs. */
  HttpResponse<String> get(String label, String path, String... headers) {
    return Http.get("http://127.0.0.1:" + proxy.port(label) + path, headers);
  }


  /** The bound ids router {@code label} has made clients for so far. */
  List<String> clients(String label) {
    return proxy.router(label).orElseThrow().clients().stream().map(c -> c.id().show()).sorted().toList();
  }

  @Override
  public void close() throws Exception {
    if (proxy != null) {
      proxy.close(Duration.ofSeconds(2));
    }
    for (AutoCloseable c : open) {
      c.close();
    }
  }
}
