package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.ClientConfig;
import dev.turnout.config.InterpreterConfig;
import dev.turnout.config.RetryBackoff;
import dev.turnout.config.ServiceConfig;
import dev.turnout.config.TransformerConfig;
import dev.turnout.testing.Backend;
import dev.turnout.testing.Ports;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linkerd 1's own documented configs (src/test/resources/dev/turnout/conformance, each naming its
 * source on its first line), started as they are written, sent the request their doc implies. Each
 * either lands where Linkerd 1.x would send it, with the l5d-dst-* headers Linkerd sets, or starts
 * with a one-line warning per thing Turnout does not implement; none fails to start.
 *
 * <p>Where a doc predates Linkerd 1.0 (dentries under {@code /http/1.1}, written for the old default
 * identifier), Linkerd 1.x's default {@code io.l5d.header.token} names the request {@code /svc/<host>},
 * which those dtabs do not match: Linkerd 1.x answers such requests "Unable to route", and so does
 * Turnout. Requests to configs without a dtab carry an {@code l5d-dtab} override, as the doc's
 * reader would send one to try the identifier.
 */
class ConformanceCorpusTest {
  @TempDir Path dir;
  private final Backend a = Backend.named("a");
  private Corpus corpus;

  @AfterEach
  void stop() throws Exception {
    if (corpus != null) {
      corpus.close();
    }
    a.close();
  }

  private String inetA() {
    return "/$/inet/127.1/" + a.port();
  }

  private static String err(HttpResponse<String> r) {
    return URLDecoder.decode(r.headers().firstValue("l5d-err").orElse(""), StandardCharsets.UTF_8);
  }

  private void assertLandedOnA(HttpResponse<String> r, String service, String client, String residual) {
    assertThat(r.statusCode()).as("status, l5d-err: %s", err(r)).isEqualTo(200);
    assertThat(r.body()).isEqualTo("a");
    assertThat(a.lastHeaders).containsEntry("l5d-dst-service", service).containsEntry("l5d-dst-client", client);
    if (residual == null) {
      assertThat(a.lastHeaders).doesNotContainKey("l5d-dst-residual");
    } else {
      assertThat(a.lastHeaders).containsEntry("l5d-dst-residual", residual);
    }
  }

  @Test
  void everyCorpusFileNamesItsSourceAndStartsWithoutAnError() throws Exception {
    Path folder = Path.of(ConformanceCorpusTest.class.getResource("/dev/turnout/conformance").toURI());
    List<Path> files;
    try (Stream<Path> listed = Files.list(folder)) {
      files = listed.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
    }

    assertThat(files).hasSizeGreaterThanOrEqualTo(16);
    for (Path f : files) {
      Path own = Files.createDirectories(dir.resolve(f.getFileName().toString()));
      for (String d : List.of("disco", "linkerd/examples/io.l5d.fs")) {
        Files.createDirectories(own.resolve(d));
      }
      try (Corpus c = Corpus.load(f.getFileName().toString(), own, Map.of())) {
        if (c.config.routers().stream().noneMatch(r -> r.interpreter().usesStore())) {
          c.start();
        }
      }
    }
  }

  @Test
  void configExampleRefusesItsThriftRouterUnlessSkippedThenRoutesHostThroughTheFsNamer() {
    corpus =
        Corpus.load("config-example.yml", dir, Map.of(), "disco/hello", "127.0.0.1 " + a.port() + "\n");
    assertThatThrownBy(() -> corpus.config.refuseUnimplemented(false, true))
        .hasMessageStartingWith("routers[1].protocol: protocol thrift is not implemented by Turnout");
    assertThat(corpus.config.refuseUnimplemented(true, true)).hasSize(1);
    corpus.start();

    HttpResponse<String> r = corpus.get("int-http", "/hi", "Host", "hello");

    assertLandedOnA(r, "/svc/hello", "/#/io.l5d.fs/hello", null);
    assertThat(corpus.config.warnings()).anyMatch(w -> w.startsWith("telemetry: not implemented"));
  }

  @Test
  void routersIntroForwardsEveryRequestToTheOneBackend() {
    corpus = Corpus.load("config-routers-intro.yml", dir, Map.of(8888, a.port())).start();

    HttpResponse<String> r = corpus.get("http", "/anything", "Host", "whatever");

    assertLandedOnA(r, "/svc/whatever", "/$/inet/127.1/" + a.port(), null);
    assertThat(corpus.config.warnings()).isEmpty();
  }

  @Test
  void pathIdentifierNamesTwoSegmentsAndForwardsTheRest() {
    corpus = Corpus.load("protocol-http-path-identifier.yml", dir, Map.of()).start();

    HttpResponse<String> r = corpus.get("http", "/true/love/waits.php", "l5d-dtab", "/svc/true/love => " + inetA());

    assertLandedOnA(r, "/svc/true/love", "/$/inet/127.1/" + a.port(), null);
    assertThat(a.lastUri).isEqualTo("/waits.php");
  }

  @Test
  void headerIdentifierReadsTheHeaderAsAPath() {
    corpus = Corpus.load("protocol-http-header-identifier.yml", dir, Map.of()).start();

    HttpResponse<String> r = corpus.get("http", "/", "my-header", "/a/b/c", "l5d-dtab", "/svc/a => " + inetA());

    assertLandedOnA(r, "/svc/a/b/c", "/$/inet/127.1/" + a.port(), "/b/c");
  }

  @Test
  void headerTokenIdentifierTakesTheHeaderAsOneLabel() {
    corpus = Corpus.load("protocol-http-header-token-identifier.yml", dir, Map.of()).start();

    HttpResponse<String> r = corpus.get("http", "/", "my-header", "foo", "l5d-dtab", "/svc/foo => " + inetA());
    HttpResponse<String> without = corpus.get("http", "/", "l5d-dtab", "/svc/foo => " + inetA());

    assertLandedOnA(r, "/svc/foo", "/$/inet/127.1/" + a.port(), null);
    assertThat(without.statusCode()).isEqualTo(400);
  }

  @Test
  void staticIdentifierNamesEveryRequestUnderTheDstPrefix() {
    corpus = Corpus.load("protocol-http-static-identifier.yml", dir, Map.of()).start();

    HttpResponse<String> r = corpus.get("http", "/x", "Host", "ignored", "l5d-dtab", "/svc/foo/bar => " + inetA());

    assertLandedOnA(r, "/svc/foo/bar", "/$/inet/127.1/" + a.port(), null);
  }

  private static String readQuietly(java.nio.file.Path p) {
    try {
      return java.nio.file.Files.readString(p);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void methodAndHostRouterNamesVersionMethodAndLowerCasedHostAndWarnsOfItsLimits() {
    corpus = Corpus.load("protocol-http-method-and-host.yml", dir, Map.of()).start();

    HttpResponse<String> r = corpus.get("http", "/x", "Host", "Web.Example", "l5d-dtab", "/svc/1.1/GET => " + inetA());

    assertLandedOnA(r, "/svc/1.1/GET/web.example", "/$/inet/127.1/" + a.port(), "/web.example");
    // Linkerd's access log key is implemented now: the request's line goes to the file it names
    java.nio.file.Path log = corpus.config.routers().get(0).accessLog().orElseThrow().path();
    dev.turnout.testing.Await.until("the access log has the request", java.time.Duration.ofSeconds(10),
        () -> java.nio.file.Files.exists(log) && readQuietly(log).contains("\"GET /x HTTP/1.1\" 200"));
    assertThat(corpus.config.warnings())
        .noneMatch(w -> w.startsWith("routers[0].httpAccessLog"))
        .anyMatch(w -> w.startsWith("routers[0].maxChunkKB: not implemented"))
        .anyMatch(w -> w.startsWith("routers[0].servers[0].addForwardedHeader: not implemented"))
        .noneMatch(w -> w.contains("unknown key"));
  }

  @Test
  void methodAndHostWithUriInDstAppendsThePath() {
    corpus = Corpus.load("protocol-http-method-and-host-uri.yml", dir, Map.of()).start();

    HttpResponse<String> r = corpus.get("http", "/some/path", "Host", "domain", "l5d-dtab", "/svc/1.1/GET/domain => " + inetA());

    assertLandedOnA(r, "/svc/1.1/GET/domain/some/path", "/$/inet/127.1/" + a.port(), "/some/path");
  }

  @Test
  void staticNamerExampleIsUnroutableUnderLinkerd1sDefaultIdentifier() {
    corpus = Corpus.load("examples-static-namer.yml", dir, Map.of(8080, a.port())).start();

    HttpResponse<String> r = corpus.get("http", "/", "Host", "web");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(err(r)).startsWith("Unable to route request! service: /svc/web");
    assertThat(a.hits.get()).isZero();
  }

  @Test
  void pathExampleRoutesEveryFirstSegmentToLocalhostAndClearsContext() {
    corpus = Corpus.load("examples-path.yml", dir, Map.of(9990, a.port())).start();

    HttpResponse<String> r = corpus.get("http", "/anything/else", "l5d-dtab", "/svc => /$/nil");

    assertLandedOnA(r, "/svc/anything", "/$/inet/localhost/" + a.port(), null);
    assertThat(a.lastUri).isEqualTo("/anything/else");
    assertThat(a.lastHeaders).doesNotContainKeys("l5d-dtab", "l5d-ctx-dtab");
  }

  @Test
  void routerOptionsExampleUsesItsDstPrefixAndWarnsOfWhatItDoesNotImplement() {
    corpus = Corpus.load("examples-router-options.yml", dir, Map.of(8080, a.port())).start();

    HttpResponse<String> r = corpus.get("foobar", "/", "Host", "web");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(err(r)).startsWith("Unable to route request! service: /foobar/web");
    assertThat(corpus.config.warnings())
        .contains(
            "routers[0].failFast: not implemented by Turnout (ignored)",
            "routers[0].timeoutMs: not implemented by Turnout (ignored)",
            "routers[0].bindingCache: not implemented by Turnout (ignored)");
  }

  @Test
  void rewritingExampleWarnsOfTheRewriteNamerAndDoesNotRouteTheSvcName() {
    corpus = Corpus.load("examples-rewriting.yml", dir, Map.of(), "linkerd/examples/io.l5d.fs/foo", "127.0.0.1 " + a.port() + "\n").start();

    HttpResponse<String> r = corpus.get("http", "/foo/api");

    assertThat(corpus.config.warnings()).anyMatch(w -> w.startsWith("namers[1].kind: namer kind io.l5d.rewrite is not implemented"));
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(err(r)).startsWith("Unable to route request! service: /svc/foo/api");
  }

  @Test
  void retriesExampleStartsWithWarningsForItsPre1Keys() {
    corpus = Corpus.load("examples-retries.yml", dir, Map.of(), "linkerd/examples/io.l5d.fs/web", "127.0.0.1 " + a.port() + "\n").start();

    HttpResponse<String> r = corpus.get("http", "/", "Host", "web");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(corpus.config.warnings())
        .contains(
            "routers[0].responseClassifier: not implemented by Turnout (ignored)",
            "routers[0].client.retries: not implemented by Turnout (ignored)");
  }

  @Test
  void perHostExampleStartsBothRoutersReadingBaseDtabAndItsTransformers() {
    corpus =
        Corpus.load(
                "examples-perhost.yml", dir, Map.of(4141, Ports.free()), Map.of(),
                "linkerd/examples/io.l5d.fs/web", "127.0.0.1 " + a.port() + "\n")
            .start();

    HttpResponse<String> out = corpus.get("outgoing", "/", "Host", "web");
    HttpResponse<String> in = corpus.get("incoming", "/", "Host", "web");

    assertThat(out.statusCode()).isEqualTo(502);
    assertThat(in.statusCode()).isEqualTo(502);
    assertThat(err(out)).contains("/host=>/#/io.l5d.fs");
    assertThat(corpus.config.warnings())
        .containsExactly(
            "routers[0].baseDtab: the name Linkerd gave dtab before 1.0; read as dtab",
            "routers[1].baseDtab: the name Linkerd gave dtab before 1.0; read as dtab");
    assertThat(corpus.config.routers().get(0).interpreter().transformers())
        .singleElement()
        .isInstanceOf(TransformerConfig.Port.class);
    assertThat(corpus.config.routers().get(1).interpreter().transformers())
        .containsExactly(new TransformerConfig.Localhost());
  }

  @Test
  void fsInterpreterExampleWarnsThatItsDtabFileIsNotRead() {
    corpus =
        Corpus.load(
                "examples-fs.yml",
                dir,
                Map.of(),
                "linkerd/examples/example.dtab",
                "/svc/* => /$/inet/127.1/" + a.port() + ";\n",
                "linkerd/examples/io.l5d.fs/default",
                "127.0.0.1 " + a.port() + "\n")
            .start();

    HttpResponse<String> r = corpus.get("http", "/", "Host", "web");

    assertThat(corpus.config.warnings())
        .containsExactly(
            "routers[0].interpreter.kind: interpreter kind io.l5d.fs is not implemented by Turnout; the router"
                + " routes by its own dtab only (ignored)");
    assertThat(r.statusCode()).isEqualTo(502);
  }

  @Test
  void namerdExampleRoutesFromTheStoreNamespaceAndSaysDstIsIgnored() {
    corpus = Corpus.load("examples-namerd.yml", dir, Map.of());

    assertThat(corpus.config.routers().get(0).interpreter()).isEqualTo(new InterpreterConfig(InterpreterConfig.STORE, "default"));
    assertThat(corpus.config.warnings())
        .containsExactly("routers[0].interpreter.dst: Turnout serves namespaces from its own store; dst is ignored"
            + " (io.l5d.namerd.http follows a control plane at dst) (ignored)");
  }

  private static dev.turnout.dtab.Path p(String text) {
    return dev.turnout.dtab.Path.read(text);
  }

  @Test
  void staticServiceDocAppliesEveryMatchingEntryInOrder() {
    corpus = Corpus.load("docs-routers-static-service.yml", dir, Map.of(), "disco/foo", "127.0.0.1 " + a.port() + "\n").start();

    HttpResponse<String> r = corpus.get("http", "/", "Host", "foo");
    ServiceConfig service = corpus.config.routers().get(0).service();

    assertLandedOnA(r, "/svc/foo", "/#/io.l5d.fs/foo", null);
    assertThat(service.forService(p("/svc/foo")).totalTimeout()).contains(Duration.ofMillis(500));
    assertThat(service.forService(p("/svc/bar")).totalTimeout()).contains(Duration.ofMillis(200));
    assertThat(service.forService(p("/svc/baz")).totalTimeout()).isEmpty();
    assertThat(service.forService(p("/svc/bar")).percentCanRetry()).isEqualTo(0.5);
    assertThat(service.forService(p("/svc/bar")).backoff().kind()).isEqualTo(RetryBackoff.Kind.JITTERED);
    assertThat(corpus.config.warnings()).isEmpty();
  }

  @Test
  void staticClientDocAppliesEntriesByTheBoundClientName() {
    corpus = Corpus.load("docs-routers-static-client.yml", dir, Map.of(), "disco/foo", "127.0.0.1 " + a.port() + "\n").start();

    HttpResponse<String> r = corpus.get("http", "/", "Host", "foo");
    ClientConfig client = corpus.config.routers().get(0).client();

    assertLandedOnA(r, "/svc/foo", "/#/io.l5d.fs/foo", null);
    assertThat(client.forClient(p("/$/inet/127.1/80")).failureAccrual().failures()).isEqualTo(10);
    assertThat(client.forClient(p("/$/inet/127.1/8080")).failureAccrual().failures()).isEqualTo(5);
    assertThat(client.forClient(p("/#/io.l5d.fs/foo")).failureAccrual().failures()).isEqualTo(5);
    assertThat(corpus.config.warnings()).isEmpty();
  }

  @Test
  void retriesDocStartsWithEveryClassifierAndAccrualKeyRead() {
    corpus = Corpus.load("docs-retries.yml", dir, Map.of(), "disco/foo", "127.0.0.1 " + a.port() + "\n").start();

    HttpResponse<String> r = corpus.get("http", "/", "Host", "foo");
    ServiceConfig service = corpus.config.routers().get(0).service();
    ClientConfig client = corpus.config.routers().get(0).client();

    assertLandedOnA(r, "/svc/foo", "/#/io.l5d.fs/foo", null);
    assertThat(service.responseClassifier()).isEqualTo("io.l5d.http.retryableAll5XX");
    assertThat(service.percentCanRetry()).isEqualTo(2.0);
    assertThat(service.backoff()).isEqualTo(RetryBackoff.constant(Duration.ofMillis(10)));
    assertThat(client.requestAttemptTimeout()).contains(Duration.ofSeconds(1));
    assertThat(client.failureAccrual().kind()).isEqualTo("io.l5d.successRateWindowed");
    assertThat(client.failureAccrual().window()).isEqualTo(Duration.ofSeconds(30));
    assertThat(corpus.config.warnings()).isEmpty();
  }

  @Test
  void loadBalancerExampleReadsItsPoolAndAccrualAndWarnsOfTuningItIgnores() {
    corpus = Corpus.load("examples-loadbalancer.yml", dir, Map.of(), "linkerd/examples/io.l5d.fs/web", "127.0.0.1 " + a.port() + "\n").start();

    HttpResponse<String> r = corpus.get("http", "/", "Host", "web");
    ClientConfig client = corpus.config.routers().get(0).client();

    assertLandedOnA(r, "/svc/web", "/#/io.l5d.fs/web", null);
    assertThat(client.loadBalancer()).isEqualTo("p2c");
    assertThat(client.hostConnectionPool().maxSize()).isEqualTo(1000);
    assertThat(client.hostConnectionPool().maxWaiters()).isEqualTo(5000);
    assertThat(client.hostConnectionPool().idleTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(client.failureAccrual().kind()).isEqualTo("io.l5d.successRate");
    assertThat(client.requeueBudget()).isEqualTo(Optional.empty());
    assertThat(corpus.config.warnings())
        .containsExactlyInAnyOrder(
            "routers[0].servers[0].maxConcurrentRequests: not implemented by Turnout (ignored)",
            "routers[0].client.loadBalancer.maxEffort: not implemented by Turnout (ignored)");
  }
}
